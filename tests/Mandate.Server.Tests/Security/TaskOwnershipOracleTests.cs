using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mandate.Server.Tests.Tasks;

namespace Mandate.Server.Tests.Security;

/// <summary>
/// L9: another workload's task is indistinguishable from a missing one on every task endpoint (show, renew,
/// complete): the same 404, never a 403 naming the owner or a status that reveals the task exists.
/// </summary>
public sealed class TaskOwnershipOracleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Changes => new() { "renew", "complete" };

    private static async Task<(HttpStatusCode Status, string Code, string Shape)> AnswerAsync(HttpResponseMessage response, string taskId)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.DoesNotContain(TaskEstate.Agent, text, StringComparison.Ordinal);
        var detail = body.TryGetProperty("detail", out var d) ? d.GetString()!.Replace(taskId, "{id}", StringComparison.Ordinal) : string.Empty;
        return (response.StatusCode, body.GetProperty("code").GetString()!, body.GetProperty("title").GetString() + "|" + detail);
    }

    private static async Task<HttpResponseMessage> ChangeAsync(HttpClient client, string change, string taskId) =>
        change == "renew"
            ? await client.PostAsJsonAsync($"/v1/tasks/{taskId}/renew", new { ttl_seconds = 60 }, Ct)
            : await client.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct);

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task ChangingAnotherWorkloadsTask_ShouldAnswerExactlyLikeAMissingTask(string change)
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, _, _) = await estate.OpenAsync(TaskEstate.Agent);
        using var outsider = estate.As(TaskEstate.Outsider);
        const string missingId = "task_0000000000000000000000";

        using var theirs = await ChangeAsync(outsider, change, taskId);
        using var missing = await ChangeAsync(outsider, change, missingId);
        using var shown = await outsider.GetAsync($"/v1/tasks/{taskId}", Ct);

        var theirsAnswer = await AnswerAsync(theirs, taskId);
        Assert.Equal(HttpStatusCode.NotFound, theirsAnswer.Status);
        Assert.Equal(await AnswerAsync(missing, missingId), theirsAnswer);
        Assert.Equal(await AnswerAsync(shown, taskId), theirsAnswer);
        var task = JsonDocument.Parse(await estate.Admin.GetStringAsync($"/v1/tasks/{taskId}", Ct)).RootElement;
        Assert.Equal("open", task.GetProperty("status").GetString());
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public async Task ChangingAnotherWorkloadsClosedTask_ShouldNotRevealThatItWasClosed(string change)
    {
        await using var estate = await TaskEstate.StartAsync();
        var (taskId, _, _) = await estate.OpenAsync(TaskEstate.Agent);
        using (var agent = estate.As(TaskEstate.Agent))
        using (var completed = await agent.PostAsync($"/v1/tasks/{taskId}/complete", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        using var outsider = estate.As(TaskEstate.Outsider);
        using var theirs = await ChangeAsync(outsider, change, taskId);

        Assert.Equal(HttpStatusCode.NotFound, (await AnswerAsync(theirs, taskId)).Status);
    }
}
