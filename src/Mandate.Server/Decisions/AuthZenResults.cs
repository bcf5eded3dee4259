using System.Buffers;
using System.Text.Json;
using Mandate.Core.Decisions;
using Mandate.Protocol.AuthZen;

namespace Mandate.Server.Decisions;

/// <summary>
/// Writes AuthZEN decisions straight to the response with a <see cref="Utf8JsonWriter"/> (the hot path: no
/// intermediate objects). Every decision carries <c>context.decision_id</c>; authenticated enforcement points also get
/// the deny <c>reason</c> and <c>reason_user</c> (anonymous callers must not learn a credential's status from them);
/// callers with the admin token also get <c>policy_version</c>, <c>reasons</c> (determining policy ids) and <c>errors</c>.
/// </summary>
internal static class AuthZenResults
{
    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    // Where a thread's cached writer points between responses: never written to.
    private static readonly ArrayBufferWriter<byte> Detached = new(1);

    [ThreadStatic]
    private static Utf8JsonWriter? CachedWriter;

    public static IResult Decision(AuthZenDecision decision, AuthZenCall call) => new DecisionResult(decision, null, call);

    public static IResult Batch(IReadOnlyList<AuthZenDecision> decisions, AuthZenCall call) => new DecisionResult(null, decisions, call);

    private static void WriteDecision(Utf8JsonWriter writer, AuthZenDecision decision, AuthZenCall call)
    {
        writer.WriteStartObject();
        writer.WriteBoolean("decision", decision.Allowed);
        writer.WriteStartObject("context");
        if (decision.DecisionId is not null)
        {
            writer.WriteString("decision_id", decision.DecisionId);
        }

        if (decision.Error is { } error)
        {
            writer.WriteStartObject("error");
            writer.WriteNumber("status", error.Status);
            writer.WriteString("code", error.Code);
            writer.WriteString("message", error.Message);
            writer.WriteEndObject();
        }

        if (decision.DenyCode is not null && call.IncludeReasons)
        {
            writer.WriteString("reason", decision.DenyCode);
            if (decision.DenyDescription is not null)
            {
                writer.WriteString("reason_user", decision.DenyDescription);
            }
        }

        if (call.IncludeReasons && decision.IgnoredProperties is { Count: > 0 } ignored)
        {
            // Stored attributes are authoritative: say which caller properties did not count.
            writer.WriteStartArray("ignored_properties");
            foreach (var name in ignored)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
        }

        if (call.IncludeDiagnostics)
        {
            if (decision.PolicyVersion is not null)
            {
                writer.WriteString("policy_version", decision.PolicyVersion);
            }

            writer.WriteStartArray("reasons");
            foreach (var reason in decision.Reasons)
            {
                writer.WriteStringValue(reason);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("errors");
            foreach (var policyError in decision.Errors)
            {
                writer.WriteStartObject();
                writer.WriteString("policy_id", policyError.PolicyId);
                writer.WriteString("message", policyError.Message);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private sealed class DecisionResult(AuthZenDecision? single, IReadOnlyList<AuthZenDecision>? batch, AuthZenCall call) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/json";
            var version = single?.PolicyVersion ?? batch?.FirstOrDefault(d => d.PolicyVersion is not null)?.PolicyVersion;
            if (version is not null)
            {
                response.Headers[AuthZenPaths.PolicyVersionHeader] = version;
            }

            // One writer per thread, pointed at this response: the answer is written without a pause (no await), so no
            // other response can take the thread's writer meanwhile. It lets go of the response's pipe afterwards.
            var writer = CachedWriter ??= new Utf8JsonWriter(Detached, WriterOptions);
            writer.Reset(response.BodyWriter);
            try
            {
                if (single is not null)
                {
                    WriteDecision(writer, single, call);
                }
                else
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("evaluations");
                    foreach (var decision in batch!)
                    {
                        WriteDecision(writer, decision, call);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                // Into the response's pipe (an IBufferWriter): synchronous; Kestrel sends it when the response ends.
                writer.Flush();
            }
            finally
            {
                writer.Reset(Detached);
            }

            return Task.CompletedTask;
        }
    }
}
