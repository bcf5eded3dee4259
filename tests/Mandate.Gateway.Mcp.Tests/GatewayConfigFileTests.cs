using System.Text;

namespace Mandate.Gateway.Mcp.Tests;

/// <summary>The configuration file and the <c>--upstream</c> text: what they accept, and errors that name file, line and column.</summary>
public sealed class GatewayConfigFileTests
{
    [Fact]
    public void Parse_ReadsUpstreamsLimitsAndUrls()
    {
        var config = GatewayConfigFile.Parse(Encoding.UTF8.GetBytes("""
            {
              "listen": "http://127.0.0.1:8090",
              "server": "http://127.0.0.1:8080",
              "upstreams": [
                { "name": "files", "command": ["npx", "-y", "server"], "tool_actions": { "read_text_file": "read" } },
                { "name": "tickets", "url": "http://127.0.0.1:9000/mcp" }
              ],
              "limits": { "requests_per_minute_per_credential": 10, "upstream_timeout_seconds": 5, "upstream_start_timeout_seconds": 90, "max_response_bytes": 2048 }
            }
            """), "g.json");

        Assert.Equal(new Uri("http://127.0.0.1:8090"), config.Listen);
        Assert.Equal(["npx", "-y", "server"], config.Upstreams[0].Command);
        Assert.Equal("read", config.Upstreams[0].ToolActions["read_text_file"]);
        Assert.Equal(new Uri("http://127.0.0.1:9000/mcp"), config.Upstreams[1].Url);
        Assert.Equal(10, config.Limits.RequestsPerMinutePerCredential);
        Assert.Equal(TimeSpan.FromSeconds(5), config.Limits.UpstreamTimeout);
        Assert.Equal(TimeSpan.FromSeconds(90), config.Limits.UpstreamStartTimeout);
        Assert.Equal(2048, config.Limits.MaxResponseBytes);
        Assert.Equal(new GatewayLimits().CallsPerMinutePerTool, config.Limits.CallsPerMinutePerTool);
    }

    [Theory]
    [InlineData("{\n  \"upstreams\": [\n    { \"name\": \"a b\", \"url\": \"http://x/mcp\" }\n  ]\n}", "g.json:3:15: the upstream name 'a b' may only hold")]
    [InlineData("{\n  \"upstreams\": [ { \"name\": \"a\" } ]\n}", "g.json:2:28: the upstream 'a' needs exactly one of")]
    [InlineData("{\n  \"upstreams\": [ { \"name\": \"a\", \"url\": \"ftp://x\" } ]\n}", "g.json:2:28: the url of upstream 'a' must be")]
    [InlineData("{ \"upstreams\": [] }", "g.json:1:3: \"upstreams\" must be a non-empty array")]
    [InlineData("{ \"upstreams\": [ { \"name\": \"a\", \"url\": \"http://x\", \"tool_actions\": { \"t\": \"delete\" } } ] }", "g.json:1:70: the action of tool 't' must be")]
    [InlineData("{\n  \"upstreams\": [ { \"name\": \"a\", \"url\": \"http://x\" } ],\n  \"limits\": { \"upstream_timeout_seconds\": 0 }\n}", "g.json:3:15: limits.upstream_timeout_seconds must be an integer from 1 to 3600.")]
    [InlineData("{\n  \"upstreams\": [\n    { \"name\": \"a\" \"url\": 1 }", "g.json:3:19: not valid JSON")]
    public void Parse_RefusesWithFileLineAndColumn(string json, string expected)
    {
        var error = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(Encoding.UTF8.GetBytes(json), "g.json"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RefusesTheSameNameTwice()
    {
        var error = Assert.Throws<GatewayConfigException>(() => GatewayConfigFile.Parse(
            Encoding.UTF8.GetBytes("""{ "upstreams": [ { "name": "a", "url": "http://x/mcp" }, { "name": "a", "url": "http://y/mcp" } ] }"""), "g.json"));
        Assert.Contains("the upstream name 'a' is used twice", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stdio:node server.js /srv", new[] { "node", "server.js", "/srv" })]
    [InlineData("stdio:node 'my server.js' \"/srv/a b\"", new[] { "node", "my server.js", "/srv/a b" })]
    [InlineData("stdio:a\\ b c", new[] { "a b", "c" })]
    public void ParseUpstream_SplitsAStdioCommandIntoWords(string text, string[] expected)
    {
        var (command, url, error) = UpstreamNames.ParseUpstream(text);
        Assert.Null(error);
        Assert.Null(url);
        Assert.Equal(expected, command);
    }

    [Theory]
    [InlineData("stdio:", "stdio: needs a command")]
    [InlineData("stdio:node 'open", "unclosed quote")]
    [InlineData("ftp://x", "neither stdio:COMMAND… nor an http(s) URL")]
    public void ParseUpstream_RefusesWhatIsNeitherForm(string text, string expected)
    {
        var (_, _, error) = UpstreamNames.ParseUpstream(text);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"sub":"spiffe://td/agent","act":{"sub":"spiffe://td/sub","act":{"sub":"spiffe://td/first"}}}""", "spiffe://td/sub")]
    [InlineData("""{"sub":"spiffe://td/agent"}""", "spiffe://td/agent")]
    public void AgentCredential_ActsAsTheCurrentActor_ElseTheSubject(string payload, string acting)
    {
        var token = "e30." + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)).TrimEnd('=').Replace('+', '-').Replace('/', '_') + ".c2ln";
        var (credential, error) = AgentCredential.Read("Bearer " + token, null);
        Assert.Null(error);
        Assert.Equal(acting, credential!.ActingParty);
        Assert.DoesNotContain(token, credential.Key, StringComparison.Ordinal);
    }
}
