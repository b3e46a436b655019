"""ratify: the library behind the *Ratification* book."""
