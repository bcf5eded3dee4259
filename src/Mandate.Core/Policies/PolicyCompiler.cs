using System.Security.Cryptography;
using System.Text;
using Mandate.Cedar;

namespace Mandate.Core.Policies;

/// <summary>
/// Turns a bundle into a prepared snapshot: parses every file (policy ids are prefixed by the file name so files cannot
/// collide), parses the schema, validates the policies and entities against it, and loads the entities. Any error
/// rejects the whole bundle.
/// </summary>
internal static class PolicyCompiler
{
    private const int HashSliceChars = 16 * 1024;

    public static PolicySnapshot Compile(PolicyBundle bundle, string origin, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var errors = new List<string>();

        Schema? schema = null;
        if (!string.IsNullOrWhiteSpace(bundle.Schema))
        {
            try
            {
                schema = SchemaFacts.Parse(bundle.Schema, PolicyBundle.SchemaFileName);
            }
            catch (CedarParseException e)
            {
                errors.AddRange(e.Diagnostics.Count > 0 ? e.Diagnostics.Select(d => d.ToString()) : [PolicyBundle.SchemaFileName + ": " + e.Message]);
            }
            catch (CedarException e)
            {
                errors.Add(PolicyBundle.SchemaFileName + ": " + e.Message);
            }
        }

        var sets = new List<PolicySet>();
        foreach (var file in bundle.Policies.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            try
            {
                sets.Add(PolicySet.Parse(file.Text, file.Name, IdPrefix(file.Name)));
            }
            catch (CedarParseException e)
            {
                errors.AddRange(e.Diagnostics.Count > 0 ? e.Diagnostics.Select(d => d.ToString()) : [file.Name + ": " + e.Message]);
            }
            catch (CedarException e)
            {
                errors.Add(file.Name + ": " + e.Message);
            }
        }

        PolicySet? policies = null;
        if (errors.Count == 0)
        {
            try
            {
                policies = PolicySet.Merge(sets);
            }
            catch (CedarException e)
            {
                errors.Add(e.Message);
            }
        }

        if (policies is not null && schema is not null)
        {
            errors.AddRange(SchemaFacts.Validate(policies, schema));
        }

        var entities = Entities.Empty;
        if (!string.IsNullOrWhiteSpace(bundle.EntitiesJson) && errors.Count == 0)
        {
            try
            {
                entities = Entities.ParseJson(bundle.EntitiesJson, schema);
            }
            catch (CedarException e)
            {
                errors.Add(PolicyBundle.EntitiesFileName + ": " + e.Message);
            }
        }

        if (errors.Count > 0 || policies is null)
        {
            throw new PolicySetRejectedException(errors);
        }

        return new PolicySnapshot(bundle, policies, entities, schema, VersionOf(bundle), origin, now);
    }

    /// <summary>The empty set: denies everything.</summary>
    public static PolicySnapshot Empty(DateTimeOffset now) =>
        Compile(new PolicyBundle([], null, null), "empty", now);

    /// <summary>A content hash: the same files, entities and schema give the same version wherever they are loaded.</summary>
    public static string VersionOf(PolicyBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        // Encoded a slice at a time into one small buffer: a bundle of tens of megabytes is not copied whole into UTF-8
        // just to be hashed (the same bytes, so the same version, as encoding it at once).
        var encoder = Encoding.UTF8.GetEncoder();
        var buffer = new byte[Encoding.UTF8.GetMaxByteCount(HashSliceChars)];
        void AppendUtf8(string text)
        {
            var rest = text.AsSpan();
            while (!rest.IsEmpty)
            {
                var take = Math.Min(rest.Length, HashSliceChars);
                encoder.Convert(rest[..take], buffer, flush: take == rest.Length, out var used, out var bytes, out _);
                hash.AppendData(buffer.AsSpan(0, bytes));
                rest = rest[used..];
            }
        }

        void Add(string label, string? text)
        {
            AppendUtf8(label);
            hash.AppendData([0]);
            AppendUtf8(text ?? string.Empty);
            hash.AppendData([0]);
        }

        foreach (var file in bundle.Policies.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            Add("policy:" + file.Name, file.Text);
        }

        Add("entities", bundle.EntitiesJson);
        Add("schema", bundle.Schema);
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    /// <summary><c>todo.cedar</c> → <c>todo.</c>, so its policies are <c>todo.policy0</c>, <c>todo.policy1</c>, ….</summary>
    internal static string IdPrefix(string fileName)
    {
        var name = Path.GetFileNameWithoutExtension(fileName);
        return string.IsNullOrEmpty(name) ? string.Empty : name + ".";
    }
}
