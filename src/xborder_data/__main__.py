"""``python -m xborder_data``: the same as the ``xborder-data`` command."""

from xborder_data.cli import main

if __name__ == "__main__":
    main()
