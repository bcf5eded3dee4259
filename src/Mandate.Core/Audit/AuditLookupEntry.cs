using System.Buffers;
using Mandate.Core.Audit.Canonical;

namespace Mandate.Core.Audit;

/// <summary>
/// One entry of the ledger's lookup table as a whole-chain read resolves it: once per id, not once per row. Its
/// canonical renderings (the value as a JSON string, or as a delegation chain) are made once, by whichever check needs
/// them first, and then spliced into every body that refers to the entry.
/// </summary>
internal sealed class AuditLookupEntry
{
    private byte[]? token;
    private byte[]? chain;

    public AuditLookupEntry(long id, string? value)
    {
        Id = id;
        Value = value;
    }

    public long Id { get; }

    /// <summary>The stored value; null when a row refers to an id that is not in the table.</summary>
    public string? Value { get; }

    /// <summary>The value as RFC 8785 writes a string (quoted, escaped), or null when it cannot be written so (the
    /// check then takes the one-row path, which says why).</summary>
    public byte[]? Token => token ??= Render(static (value, buffer) =>
    {
        JsonCanonicalizer.WriteString(value, buffer);
        return true;
    });

    /// <summary>The value read as a stored delegation chain and written as the body holds it (a JSON array of strings),
    /// or null when it is not a chain as the ledger writes it.</summary>
    public byte[]? Chain => chain ??= Render(static (value, buffer) =>
    {
        if (AuditRow.TryParseChain(value, out var parsed) is not null || parsed is null)
        {
            return false;
        }

        AuditCanonicalForm.ChainValue(buffer, parsed);
        return true;
    });

    private byte[]? Render(Func<string, ArrayBufferWriter<byte>, bool> write)
    {
        // A race between two checks renders the entry twice, to the same bytes: harmless.
        if (Value is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(Value.Length + 16);
        try
        {
            return write(Value, buffer) ? buffer.WrittenSpan.ToArray() : null;
        }
        catch (JsonCanonicalizationException)
        {
            return null;
        }
    }
}
