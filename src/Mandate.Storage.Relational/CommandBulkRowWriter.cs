using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Mandate.Storage.Relational;

/// <summary>
/// The portable <see cref="BulkRowWriter"/>: rows are buffered and written <see cref="SqlDialect.RowsPerBulkInsert"/>
/// per multi-row statement (one prepared command for the full statements, re-bound, and one for the rest), which
/// saves a server store round trips.
/// </summary>
internal sealed class CommandBulkRowWriter(RelationalSession session, string table, string columns, int columnCount, string onConflict) : BulkRowWriter
{
    private readonly int rowsPerStatement = Math.Max(1, session.Dialect.RowsPerBulkInsert);
    private readonly object?[] values = new object?[Math.Max(1, session.Dialect.RowsPerBulkInsert) * columnCount];
    private int rows;
    private DbCommand? full;

    public override void Text(int column, string? value) => values[(rows * columnCount) + column] = value;

    public override void Integer(int column, long? value) => values[(rows * columnCount) + column] = value;

    public override void Blob(int column, ReadOnlySpan<byte> value) => values[(rows * columnCount) + column] = value.ToArray();

    public override async ValueTask EndRowAsync(CancellationToken cancellationToken)
    {
        rows++;
        if (rows == rowsPerStatement)
        {
            await WriteAsync(full ??= Statement(rows), cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        if (rows > 0)
        {
            var rest = Statement(rows);
            await using var restDisposal = rest.ConfigureAwait(false);
            await WriteAsync(rest, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (full is not null)
        {
            await full.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task WriteAsync(DbCommand command, CancellationToken cancellationToken)
    {
        for (var i = 0; i < rows * columnCount; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }

        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Array.Clear(values);
        rows = 0;
    }

    private DbCommand Statement(int count)
    {
        var sql = new StringBuilder($"INSERT INTO {table} ({columns}) VALUES ");
        var parameters = new (string, object?)[count * columnCount];
        for (var row = 0; row < count; row++)
        {
            sql.Append(row == 0 ? "(" : ",(");
            for (var column = 0; column < columnCount; column++)
            {
                var name = "@p" + ((row * columnCount) + column).ToString(CultureInfo.InvariantCulture);
                sql.Append(column == 0 ? name : ", " + name);
                parameters[(row * columnCount) + column] = (name, null);
            }

            sql.Append(')');
        }

        sql.Append(' ').Append(onConflict);
        return session.Command(sql.ToString(), parameters);
    }
}
