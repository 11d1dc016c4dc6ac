"""Komunigi's benchmark (`komunigi benchmark`): the data at scale (`data`), every page against
the framework's floors (`pages`), the engines (`engines`), and writes under concurrency over
HTTP (`concurrency`)."""
