"""``field__any=[ids]``: the values as one array parameter on PostgreSQL (``= ANY(%s)``), an IN list
elsewhere. A rollup asks for the rows of hundreds of projects at once: as an IN list, Django prepares
each value and psycopg binds each placeholder into the query's text, which costs more than the query."""

from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In


@ForeignObject.register_lookup  # relations keep lookups of their own
@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        column_type = self.lhs.output_field.cast_db_type(connection)  # the array as the column's type, for its index
        return f"{lhs} = ANY(%s::{column_type}[])", (*lhs_params, [value for value in self.rhs if value is not None])
