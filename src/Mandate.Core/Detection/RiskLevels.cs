namespace Mandate.Core.Detection;

/// <summary>The level of a risk score: low below 40, medium below 70, high below 90, critical from 90.</summary>
internal static class RiskLevels
{
    public const string Low = "low";
    public const string Medium = "medium";
    public const string High = "high";
    public const string Critical = "critical";

    public static string Of(long score) => score switch
    {
        >= 90 => Critical,
        >= 70 => High,
        >= 40 => Medium,
        _ => Low,
    };
}
