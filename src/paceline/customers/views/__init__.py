"""The customer pages, one module per idea: the book, the 360 page, and a module per record edited."""
