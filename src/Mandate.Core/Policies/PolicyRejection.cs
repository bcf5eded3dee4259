namespace Mandate.Core.Policies;

/// <summary>The last bundle that was refused, why, and when; the previous set stayed in force.</summary>
internal sealed record PolicyRejection(string Origin, IReadOnlyList<string> Errors, DateTimeOffset At)
{
    public string Summary => $"policy set from {Origin} rejected, previous version kept: {string.Join("; ", Errors)}";
}
