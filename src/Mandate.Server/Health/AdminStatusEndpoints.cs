using System.Reflection;
using Mandate.Core.Storage;
using Mandate.Core.Operators;
using Mandate.Server.Authentication;
using Mandate.Server.Operators;

namespace Mandate.Server.Health;

internal static class AdminStatusEndpoints
{
    public static IEndpointRouteBuilder MapAdminStatusEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/status", async (IMandateStore store, CancellationToken cancellationToken) =>
        {
            var status = await store.CheckAsync(cancellationToken);
            return TypedResults.Ok(new
            {
                version = typeof(AdminStatusEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion,
                store = store.Kind,
                schema_version = status.AppliedVersion,
            });
        }).RequireOperatorRole(OperatorRole.Auditor);
        return app;
    }
}
