namespace Mandate.Core.Tasks;

/// <summary>The lower-case names of <see cref="DataSensitivity"/> used on the wire, in tokens and in Cedar context.</summary>
internal static class DataSensitivityNames
{
    public static string ToName(this DataSensitivity level) => level switch
    {
        DataSensitivity.Public => "public",
        DataSensitivity.Low => "low",
        DataSensitivity.Medium => "medium",
        DataSensitivity.High => "high",
        DataSensitivity.Restricted => "restricted",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    public static bool TryParse(string? name, out DataSensitivity level)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case "public":
                level = DataSensitivity.Public;
                return true;
            case "low":
                level = DataSensitivity.Low;
                return true;
            case "medium":
                level = DataSensitivity.Medium;
                return true;
            case "high":
                level = DataSensitivity.High;
                return true;
            case "restricted":
                level = DataSensitivity.Restricted;
                return true;
            default:
                level = DataSensitivity.Public;
                return false;
        }
    }

    public const string Accepted = "public, low, medium, high or restricted";
}
