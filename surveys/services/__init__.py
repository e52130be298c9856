"""The product's logic, one module per concern; views and CLI call these."""
