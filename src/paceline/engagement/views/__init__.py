"""Pages of the engagement app: touchpoint plans, an account's touchpoints and needs, resources."""
