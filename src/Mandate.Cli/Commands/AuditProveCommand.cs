using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Core.Audit;
using Mandate.Core.Storage;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate audit prove SEQ</c>: an inclusion proof for one event (its body, its Merkle audit path and the signed
/// checkpoint over it), for someone who should be able to check that event without receiving the whole log.
/// <c>mandate audit verify --proof FILE --key JWKFILE</c> checks it offline.
/// </summary>
internal static class AuditProveCommand
{
    public static Command Create()
    {
        var sequence = new Argument<long>("SEQ") { Description = "The event's sequence number." };
        var store = AuditCliSupport.StoreOption();
        var command = new Command("prove", "Print an inclusion proof for one event, verifiable offline with 'mandate audit verify --proof'.") { sequence, store };
        var server = AuditCliSupport.AddServer(command, "Ask a running server's admin API instead of a store");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var seq = parse.GetValue(sequence);
            if (seq < 1)
            {
                await error.WriteLineAsync("error: SEQ must be a positive sequence number.");
                return CliApplication.UsageError;
            }

            try
            {
                if (server.Requested(parse))
                {
                    return await AuditCliSupport.PrintAdminGetAsync(parse, server, $"v1/audit/events/{seq.ToString(CultureInfo.InvariantCulture)}/proof", cancellationToken);
                }

                var (opened, problem) = AuditCliSupport.Open(parse.GetValue(store));
                if (opened is null)
                {
                    await error.WriteLineAsync("error: " + problem);
                    return 1;
                }

                await using (opened)
                {
                    var (proof, unavailable) = await AuditInclusionProofs.BuildAsync(opened, seq, cancellationToken);
                    switch (unavailable)
                    {
                        case AuditProofUnavailable.NoSuchEvent:
                            await error.WriteLineAsync($"error: the ledger has no event {seq.ToString(CultureInfo.InvariantCulture)}.");
                            return 1;
                        case AuditProofUnavailable.NotCheckpointed:
                            await error.WriteLineAsync($"error: event {seq.ToString(CultureInfo.InvariantCulture)} is not covered by a signed checkpoint yet (the server signs one periodically; POST /v1/audit/checkpoints signs one now).");
                            return 1;
                    }

                    using var buffer = new MemoryStream();
                    await using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
                    {
                        proof!.WriteJson(writer);
                    }

                    await output.WriteLineAsync(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
                    return 0;
                }
            }
            catch (AuditChainBrokenException ex)
            {
                await error.WriteLineAsync("error: " + ex.Message);
                return 1;
            }
            catch (Exception ex) when (AuditCliSupport.Describe(ex) is { } described)
            {
                await error.WriteLineAsync("error: " + described);
                return 1;
            }
        });
        return command;
    }
}
