"""Komunigi: the intercooperation platform of communities that pool shared software."""
