"""The public-page kit: what every page a defender reaches without an account is built from."""
