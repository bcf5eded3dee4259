using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mandate.Cli.Grammar;
using Mandate.Core.Audit;

namespace Mandate.Cli.Commands;

/// <summary>
/// <c>mandate audit prove SEQ</c>: an inclusion proof for one event (its body, its Merkle audit path and the signed
/// checkpoint over it), from the server (<c>GET /v1/audit/events/{seq}/proof</c>) or offline from <c>--store</c>, for
/// someone who should be able to check that event without receiving the whole log. The proof is a JSON document
/// either way; <c>mandate audit verify --proof FILE --key JWKFILE</c> checks it offline.
/// </summary>
internal static class AuditProveCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var sequence = new Argument<long>("seq") { Description = "The event's sequence number." };
        var store = AuditCliSupport.StoreOption();
        var command = new Command("prove", "Print an inclusion proof for one event, verifiable offline with 'mandate audit verify --proof'.") { sequence, store };
        CliAction.Set(command, globals, async context =>
        {
            var seq = context.Value(sequence);
            if (seq < 1)
            {
                throw CliException.Usage("seq: must be a positive sequence number.");
            }

            if (context.Value(store) is not { } location)
            {
                using var api = await context.ConnectAsync();
                await context.Output.JsonAsync(await api.GetAsync($"v1/audit/events/{seq.ToString(CultureInfo.InvariantCulture)}/proof", context.CancellationToken));
                return ExitCodes.Success;
            }

            var proof = await AuditCliSupport.WithStoreAsync(location, async opened =>
            {
                var (built, unavailable) = await AuditInclusionProofs.BuildAsync(opened, seq, context.CancellationToken);
                return unavailable switch
                {
                    AuditProofUnavailable.NoSuchEvent => throw CliException.Failed($"the ledger has no event {seq.ToString(CultureInfo.InvariantCulture)}."),
                    AuditProofUnavailable.NotCheckpointed => throw CliException.Failed(
                        $"event {seq.ToString(CultureInfo.InvariantCulture)} is not covered by a signed checkpoint yet (the server signs one periodically; 'mandate audit checkpoint' signs one now)."),
                    _ => built!,
                };
            });

            using var buffer = new MemoryStream();
            await using (var writer = new Utf8JsonWriter(buffer))
            {
                proof.WriteJson(writer);
            }

            using var document = JsonDocument.Parse(buffer.ToArray());
            await context.Output.JsonAsync(document.RootElement);
            return ExitCodes.Success;
        });
        return command;
    }
}
