using System.Net;
using System.Text;
using Mandate.Server.Tests.Infrastructure;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L12: a deep entity hierarchy must not stall the server. A bundle whose entities form one chain of 20,000 groups
/// (the closure has 2·10^8 entries: 20,000 did not finish in 120 s before) is activated and decided over in seconds.
/// </summary>
public sealed class HierarchySizeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DeepChainOfEntities_ShouldActivateInSeconds_AndAnswerInFromTheBottom()
    {
        const int length = 20_000;
        await using var server = await MandateTestServer.StartAsync(o => o.Demo = false);
        using var admin = server.CreateAdminClient();
        admin.Timeout = TimeSpan.FromSeconds(60);
        var entities = new StringBuilder("[");
        for (var i = 0; i < length; i++)
        {
            entities.Append(i == 0 ? "" : ",").Append("{\"uid\":{\"type\":\"Group\",\"id\":\"g").Append(i).Append("\"},\"attrs\":{},\"parents\":[");
            if (i + 1 < length)
            {
                entities.Append("{\"type\":\"Group\",\"id\":\"g").Append(i + 1).Append("\"}");
            }

            entities.Append("]}");
        }

        entities.Append(']');
        var bundle = "{\"policies\":{\"top.cedar\":\"permit (principal in Group::\\\"g" + (length - 1) + "\\\", action, resource);\"},\"entities\":" + entities + "}";
        using (var put = await admin.PutAsync("/v1/policies", new StringContent(bundle, Encoding.UTF8, "application/json"), Ct))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync(Ct));
        }

        using var decision = await admin.PostAsync(
            "/access/v1/evaluation",
            new StringContent("{\"subject\":{\"type\":\"Group\",\"id\":\"g0\"},\"action\":{\"name\":\"read\"},\"resource\":{\"type\":\"Doc\",\"id\":\"d\"}}", Encoding.UTF8, "application/json"),
            Ct);
        Assert.Equal(HttpStatusCode.OK, decision.StatusCode);
        Assert.Contains("\"decision\":true", await decision.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }
}
