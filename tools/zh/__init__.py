"""The Chinese edition's texts: field and resource titles and descriptions in Chinese (tools/zh/fields.csv)."""
