using System.Text.Json;
using Mandate.Core.Detection.SharedSignals;

namespace Mandate.Core.Tests.Detection;

public sealed class SsfSubjectsTests
{
    [Fact]
    public void Key_ShouldBeTheSameHoweverTheMembersAreOrdered()
    {
        var one = JsonDocument.Parse("""{"format":"iss_sub","iss":"https://idp","sub":"42"}""").RootElement;
        var other = JsonDocument.Parse("""{"sub":"42","format":"iss_sub","iss":"https://idp"}""").RootElement;
        Assert.Equal(SsfSubjects.Key(one), SsfSubjects.Key(other));
        Assert.NotEqual(SsfSubjects.Key(one), SsfSubjects.Key(JsonDocument.Parse("""{"format":"iss_sub","iss":"https://idp","sub":"43"}""").RootElement));
    }

    [Fact]
    public void Keys_OfASession_ShouldIncludeItsIdentity_SoRemovingTheIdentityCoversItsTasks()
    {
        var keys = SsfSubjects.Keys(SsfSubjects.Session("spiffe://d/agent/a", "task_1")).ToList();
        Assert.Contains(SsfSubjects.Key(SsfSubjects.Identity("spiffe://d/agent/a")), keys);
    }

    [Theory]
    [InlineData("""{"email":"a@example.test"}""")]
    [InlineData("""{"format":""}""")]
    [InlineData("""{"format":"email"}""")]
    [InlineData("""{"format":"email","email":""}""")]
    [InlineData("""["format"]""")]
    public void Validate_ShouldRefuseWhatIsNotASubjectIdentifier(string json) =>
        Assert.NotNull(SsfSubjects.Validate(JsonDocument.Parse(json).RootElement));

    [Fact]
    public void Validate_ShouldAcceptAnEmailSubject() =>
        Assert.Null(SsfSubjects.Validate(JsonDocument.Parse("""{"format":"email","email":"a@example.test"}""").RootElement));
}
