using System.Globalization;

namespace Mandate.Core.Governance.Inventory;

/// <summary>Times in inventory files: ISO 8601 with an offset (AWS writes <c>2026-01-05T10:11:12+00:00</c>).</summary>
internal static class InventoryTimes
{
    public static bool TryParse(string text, out DateTimeOffset value)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            && text.Contains('T', StringComparison.Ordinal))
        {
            // Stored at millisecond precision; keep what a later read gives.
            value = DateTimeOffset.FromUnixTimeMilliseconds(parsed.ToUnixTimeMilliseconds());
            return true;
        }

        value = default;
        return false;
    }
}
