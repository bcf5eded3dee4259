using System.Globalization;
using System.Text.Json;
using Mandate.Core.Storage;

namespace Mandate.Core.Audit;

/// <summary>
/// Writes a range of the chain as JSON Lines that verify offline: a header with the public keys, one line per event
/// (its canonical body as a JSON object, with prev_hash and hash), each checkpoint after the event it ends at, and an
/// end record so truncation is detectable.
/// </summary>
internal static class AuditExport
{
    public const string Format = "mandate-audit-export";
    public const int FormatVersion = 1;

    public static async Task<long> WriteJsonLinesAsync(IMandateStore store, Stream output, long fromSequence, long toSequence, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IAuditRepository>();
        var checkpoints = await repository.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        var keys = await repository.GetPublicKeysAsync(cancellationToken).ConfigureAwait(false);
        var head = await repository.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        var from = Math.Max(1, fromSequence);
        var to = Math.Min(toSequence, head?.Sequence ?? 0);
        var writerOptions = new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var count = 0L;
        var checkpointsWritten = 0L;
        var anchor = AuditHashing.GenesisHash;
        var lastHash = anchor;
        var lastSequence = from - 1;
        var headerWritten = false;
        var next = 0;
        while (next < checkpoints.Count && checkpoints[next].ToSequence < from)
        {
            next++;
        }

        async Task LineAsync(Action<Utf8JsonWriter> write)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, writerOptions))
            {
                write(writer);
            }

            buffer.WriteByte((byte)'\n');
            buffer.Position = 0;
            await buffer.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
        }

        async Task HeaderAsync(string anchorHash)
        {
            await LineAsync(w =>
            {
                w.WriteStartObject();
                w.WriteString("kind", "header");
                w.WriteString("format", Format);
                w.WriteNumber("version", FormatVersion);
                w.WriteNumber("from", from);
                w.WriteNumber("to", to);
                w.WriteString("anchor_hash", anchorHash);
                w.WriteString("exported_at", AuditCanonicalForm.FormatTime(time.GetUtcNow()));
                w.WriteString("hash_algorithm", "SHA-256 chain over RFC 8785 bodies; RFC 6962 Merkle checkpoints; ES256 signatures");
                w.WriteStartArray("keys");
                foreach (var key in keys)
                {
                    key.WriteJwk(w);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }).ConfigureAwait(false);
            headerWritten = true;
        }

        if (to >= from)
        {
            await foreach (var record in repository.ReadRangeAsync(from, to, cancellationToken).ConfigureAwait(false))
            {
                if (!headerWritten)
                {
                    anchor = record.PreviousHash;
                    await HeaderAsync(anchor).ConfigureAwait(false);
                }

                using var body = JsonDocument.Parse(record.CanonicalJson);
                await LineAsync(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("kind", "event");
                    w.WriteNumber("seq", record.Sequence);
                    w.WriteString("prev_hash", record.PreviousHash);
                    w.WriteString("hash", record.Hash);
                    w.WritePropertyName("event");
                    body.RootElement.WriteTo(w);
                    w.WriteEndObject();
                }).ConfigureAwait(false);
                count++;
                lastSequence = record.Sequence;
                lastHash = record.Hash;
                while (next < checkpoints.Count && checkpoints[next].ToSequence == record.Sequence)
                {
                    var checkpoint = checkpoints[next++];
                    await LineAsync(w => WriteCheckpoint(w, checkpoint)).ConfigureAwait(false);
                    checkpointsWritten++;
                }
            }
        }

        if (!headerWritten)
        {
            await HeaderAsync(anchor).ConfigureAwait(false);
        }

        await LineAsync(w =>
        {
            w.WriteStartObject();
            w.WriteString("kind", "end");
            w.WriteNumber("events", count);
            w.WriteNumber("last_seq", lastSequence);
            w.WriteString("head_hash", lastHash);
            w.WriteNumber("checkpoints", checkpointsWritten);
            w.WriteEndObject();
        }).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    /// <summary>Writes the range as OCSF-style JSON Lines (one event per line, no checkpoints: not verifiable).</summary>
    public static async Task<long> WriteOcsfAsync(IMandateStore store, Stream output, long fromSequence, long toSequence, string productVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(output);
        var session = await store.BeginAsync(StoreIntent.Read, cancellationToken).ConfigureAwait(false);
        await using var sessionDisposal = session.ConfigureAwait(false);
        var repository = session.Get<IAuditRepository>();
        var count = 0L;
        await foreach (var stored in repository.ReadRangeAsync(Math.Max(1, fromSequence), toSequence, cancellationToken).ConfigureAwait(false))
        {
            var (_, recordTime, auditEvent) = AuditCanonicalForm.Parse(stored.CanonicalJson);
            var record = new AuditRecord(stored.Sequence, recordTime, auditEvent, stored.PreviousHash, stored.Hash);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                AuditOcsfMapper.Write(writer, record, productVersion);
            }

            buffer.WriteByte((byte)'\n');
            buffer.Position = 0;
            await buffer.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            count++;
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    public static void WriteCheckpoint(Utf8JsonWriter writer, AuditCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(checkpoint);
        writer.WriteStartObject();
        writer.WriteString("kind", "checkpoint");
        writer.WriteNumber("from", checkpoint.FromSequence);
        writer.WriteNumber("to", checkpoint.ToSequence);
        writer.WriteNumber("tree_size", checkpoint.TreeSize);
        writer.WriteString("root", checkpoint.RootHash);
        writer.WriteString("chain_hash", checkpoint.ChainHash);
        writer.WriteString("time", AuditCanonicalForm.FormatTime(checkpoint.Time));
        writer.WriteString("kid", checkpoint.KeyId);
        writer.WriteString("alg", checkpoint.Algorithm);
        writer.WriteString("signature", checkpoint.Signature);
        writer.WriteEndObject();
    }

    /// <summary>Verifies an export line by line; a truncated or corrupted file gets the line and the reason, never an exception.</summary>
    public static async Task<AuditVerificationResult> VerifyAsync(TextReader input, IReadOnlyList<AuditPublicKey>? pinnedKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        AuditChainVerifier? verifier = null;
        var lineNumber = 0;
        var sawEnd = false;
        string Position(long? sequence = null) =>
            "line " + lineNumber.ToString(CultureInfo.InvariantCulture) + (sequence is { } s ? " (event " + s.ToString(CultureInfo.InvariantCulture) + ")" : string.Empty);

        AuditVerificationResult Broken(string position, string reason, long? column = null)
        {
            verifier ??= new AuditChainVerifier([]);
            verifier.Fail(new AuditVerificationFailure(position, null, reason) { Line = column is null ? null : lineNumber, Column = column });
            return verifier.Complete();
        }

        while (await input.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            if (sawEnd)
            {
                return Broken(Position(), "content after the end record: lines were appended to the export");
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException ex)
            {
                return Broken(Position(), $"not valid JSON ({JsonErrorText.Reason(ex)}); the file is corrupted or truncated", JsonErrorText.Column(ex));
            }

            using (document)
            {
                var root = document.RootElement;
                var kind = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
                try
                {
                    switch (kind)
                    {
                        case "header" when verifier is null:
                            verifier = ReadHeader(root, pinnedKeys);
                            break;
                        case "header":
                            return Broken(Position(), "a second header: exports were concatenated or a line was inserted");
                        case var _ when verifier is null:
                            return Broken(Position(), "the export does not start with its header line");
                        case "event":
                        {
                            var sequence = Number(root, "seq");
                            if (!root.TryGetProperty("event", out var body))
                            {
                                throw new FormatException("the event line has no 'event' object");
                            }

                            if (!verifier.AddExported(sequence, body, Text(root, "prev_hash"), Text(root, "hash"), Position(sequence)))
                            {
                                return verifier.Complete();
                            }

                            break;
                        }

                        case "checkpoint":
                            if (!verifier.AddCheckpoint(ReadCheckpoint(root), Position()))
                            {
                                return verifier.Complete();
                            }

                            break;
                        case "end":
                        {
                            var result = verifier.Complete();
                            if (Number(root, "events") != result.Events || (result.LastSequence is { } last && Number(root, "last_seq") != last))
                            {
                                return Broken(Position(), $"the end record announces {Number(root, "events")} events up to {Number(root, "last_seq")}, but the file holds {result.Events} up to {result.LastSequence}: events were deleted or inserted");
                            }

                            if (result.HeadHash is { } head && Text(root, "head_hash") != head)
                            {
                                return Broken(Position(), "the end record's head hash differs from the last event's hash");
                            }

                            // Absent from exports written before it was added; when present it must match, so a
                            // checkpoint line lost after the last signed event does not go unnoticed.
                            if (root.TryGetProperty("checkpoints", out _) && Number(root, "checkpoints") != result.Checkpoints)
                            {
                                return Broken(Position(), $"the end record announces {Number(root, "checkpoints").ToString(CultureInfo.InvariantCulture)} checkpoints, but the file holds {result.Checkpoints.ToString(CultureInfo.InvariantCulture)}: a checkpoint was deleted or inserted");
                            }

                            sawEnd = true;
                            break;
                        }

                        default:
                            return Broken(Position(), $"unknown line kind '{kind ?? "(none)"}'");
                    }
                }
                catch (FormatException ex)
                {
                    return Broken(Position(), ex.Message);
                }
                catch (InvalidOperationException ex)
                {
                    return Broken(Position(), ex.Message);
                }
            }
        }

        if (verifier is null)
        {
            return Broken("line 1", "the file is empty: no header line");
        }

        if (!sawEnd)
        {
            var partial = verifier.Complete();
            verifier.Fail(
                Position(),
                partial.LastSequence,
                $"the export ends without its end record: it is truncated after {(partial.LastSequence is { } s ? "event " + s.ToString(CultureInfo.InvariantCulture) : "its header")}");
        }

        return verifier.Complete();
    }

    private static AuditChainVerifier ReadHeader(JsonElement root, IReadOnlyList<AuditPublicKey>? pinnedKeys)
    {
        if (Text(root, "format") != Format || Number(root, "version") != FormatVersion)
        {
            throw new FormatException($"the header is not a {Format} version {FormatVersion} header");
        }

        var keys = new List<AuditPublicKey>();
        if (root.TryGetProperty("keys", out var keyArray) && keyArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var jwk in keyArray.EnumerateArray())
            {
                keys.Add(AuditPublicKey.FromJwk(jwk));
            }
        }

        var from = Number(root, "from");
        var verifier = new AuditChainVerifier(pinnedKeys ?? keys, Text(root, "anchor_hash"), from);
        if (pinnedKeys is null && keys.Count > 0)
        {
            verifier.Note("checkpoint keys were taken from the export itself; pin them with --key for an independent check");
        }

        if (from > 1)
        {
            verifier.Note($"the export starts at event {from}; its link to the events before rests on the header's anchor hash and on checkpoints that span it");
        }

        return verifier;
    }

    internal static AuditCheckpoint ReadCheckpoint(JsonElement root)
    {
        var timeText = Text(root, "time");
        if (!DateTimeOffset.TryParseExact(timeText, AuditCanonicalForm.TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            throw new FormatException("the checkpoint's time is not of the form " + AuditCanonicalForm.TimeFormat);
        }

        var checkpoint = new AuditCheckpoint(Number(root, "from"), Number(root, "to"), Text(root, "root"), Text(root, "chain_hash"), time, Text(root, "kid"), Text(root, "alg"), Text(root, "signature"));

        // Signed implicitly (the signed payload derives it from from..to); a record that states another size was altered.
        var treeSize = Number(root, "tree_size");
        if (treeSize != checkpoint.TreeSize)
        {
            throw new FormatException($"the checkpoint's tree_size {treeSize.ToString(CultureInfo.InvariantCulture)} does not match its range {checkpoint.FromSequence.ToString(CultureInfo.InvariantCulture)}..{checkpoint.ToSequence.ToString(CultureInfo.InvariantCulture)}");
        }

        return checkpoint;
    }

    internal static string Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new FormatException($"'{name}' is missing or not a string");

    internal static long Number(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw new FormatException($"'{name}' is missing or not an integer");
}
