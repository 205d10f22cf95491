"""Every list is a page: ``{count, next, previous, results}``, 50 by default, at most 500."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response_schema(self, schema: dict) -> dict:
        """Every key is always sent; ``next`` and ``previous`` are null at the ends."""
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] = list(paginated["properties"])
        return paginated
