"""Page-number pagination; the views always order by a unique tiebreaker so pages never overlap."""

from django.core.paginator import EmptyPage, Paginator
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class CountedPaginator(Paginator):
    """Django's paginator for rows that carry the number of all rows (``total``, from ``COUNT(*) OVER ()``):
    the page and the count come in one query. Past the last page there is no row to tell the count,
    and the page is missing (as it is for Django's paginator)."""

    # OFFSET is a 64-bit integer in PostgreSQL and SQLite; a page past it has no rows (and would be an error).
    largest_offset = 2**63 - 1

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # its message for a page that is not a number
        if number < 1:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        if bottom + self.per_page > self.largest_offset:
            raise EmptyPage(self.error_messages["no_results"])
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0]["total"]
        elif number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        else:
            self.__dict__["count"] = 0
        return self._get_page(rows, number, self)


class CountedPageNumberPagination(PageNumberPagination):
    """Page-number pagination of rows that carry their count (``CountedPaginator``)."""

    django_paginator_class = CountedPaginator
