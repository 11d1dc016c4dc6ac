from django.db import models


class Hit(models.Model):
    """One counted attempt (a join request, a failed login …) by one client or account.

    Kept in the database, so every web process of an instance shares the same counts.
    """

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=254)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.key} {self.at:%Y-%m-%d %H:%M}"
