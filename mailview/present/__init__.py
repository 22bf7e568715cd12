"""How facts are worded for people, shared by every face."""
