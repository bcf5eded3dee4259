namespace Mandate.Core.Tasks;

/// <summary>Data sensitivity levels, least sensitive first (ordered: a ceiling allows its level and those below).</summary>
internal enum DataSensitivity
{
    Public = 0,
    Low = 1,
    Medium = 2,
    High = 3,
    Restricted = 4,
}
