"""The organization admin pages at ``/o/<org-slug>/admin/…`` (admins only): members and
invitations, teams, cycles, settings. Routed by ``okr/views/admin/urls.py``."""
