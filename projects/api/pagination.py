"""Page-number pagination; the views always order by a unique tiebreaker so pages never overlap."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
