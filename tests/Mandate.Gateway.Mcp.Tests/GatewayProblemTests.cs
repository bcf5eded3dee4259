using Mandate.Gateway.Mcp;

namespace Mandate.Gateway.Mcp.Tests;

public sealed class GatewayProblemTests
{
    [Fact]
    public void EveryGatewayProblem_ShouldBeDocumented_WithItsTitle_AndTheDocsShouldListNoOther()
    {
        var documented = ProblemAssert.DocumentedGatewayTitles();

        Assert.All(GatewayProblem.All, p =>
        {
            Assert.True(documented.TryGetValue(p.Code, out var title), $"docs/errors.md (MCP gateway) has no row for '{p.Code}'");
            Assert.Equal(p.Title, title);
        });
        Assert.Equal(GatewayProblem.All.Select(p => p.Code).Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
    }
}
