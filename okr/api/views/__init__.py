"""The API's views, by resource: auth and the user, the organization, OKRs, the tree."""
