using System.Globalization;

namespace Mandate.Core.Tasks;

/// <summary>
/// A place in the task list's order (opening time descending, then id), as a page link carries it:
/// <c>{unix milliseconds}.{task id}</c>. The opening time first, so the cursor names a place even in a list filtered
/// to other tasks than the one it was taken from.
/// </summary>
internal sealed record TaskListCursor(DateTimeOffset OpenedAt, string Id)
{
    public static TaskListCursor Of(MandateTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.OpenedAt, task.Id);
    }

    public override string ToString() => OpenedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "." + Id;

    public static bool TryParse(string? text, out TaskListCursor? cursor)
    {
        cursor = null;
        var dot = text?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (text is null || dot < 1 || dot == text.Length - 1
            || !long.TryParse(text.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        cursor = new(DateTimeOffset.FromUnixTimeMilliseconds(ms), text[(dot + 1)..]);
        return true;
    }
}
