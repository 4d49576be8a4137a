"""The single version of the package and of the data it ships."""

__version__ = "1.4.2"
