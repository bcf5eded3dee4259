namespace Mandate.Server.Identity;

/// <summary>Every HTTP surface of workload identity.</summary>
internal static class IdentityEndpoints
{
    public static IEndpointRouteBuilder MapIdentityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapWellKnownIdentityEndpoints();
        app.MapSvidEndpoints();
        app.MapIdentityInventoryEndpoints();
        app.MapIdentityAttestationEndpoints();
        return app;
    }
}
