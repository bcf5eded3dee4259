namespace Mandate.Core.Secrets;

/// <summary>The wire names of what a secret scan finds (snake_case, as <c>--json</c> and the inventory speak them).</summary>
internal static class SecretKinds
{
    public const string AwsAccessKeyId = "aws_access_key_id";
    public const string AwsSecretAccessKey = "aws_secret_access_key";
    public const string GcpServiceAccountKey = "gcp_service_account_key";
    public const string AzureStorageKey = "azure_storage_key";
    public const string AzureSharedAccessKey = "azure_shared_access_key";
    public const string GitHubToken = "github_token";
    public const string GitHubFineGrainedToken = "github_fine_grained_token";
    public const string GitLabToken = "gitlab_token";
    public const string SlackBotToken = "slack_bot_token";
    public const string SlackUserToken = "slack_user_token";
    public const string SlackToken = "slack_token";
    public const string SlackWebhook = "slack_webhook";
    public const string StripeLiveKey = "stripe_live_key";
    public const string PrivateKey = "private_key";
    public const string OpenSshPrivateKey = "openssh_private_key";
    public const string Jwt = "jwt";
    public const string DatabaseUrl = "database_url";
    public const string GenericSecret = "generic_secret";

    public static readonly IReadOnlyList<string> All =
    [
        AwsAccessKeyId, AwsSecretAccessKey, GcpServiceAccountKey, AzureStorageKey, AzureSharedAccessKey, GitHubToken,
        GitHubFineGrainedToken, GitLabToken, SlackBotToken, SlackUserToken, SlackToken, SlackWebhook, StripeLiveKey,
        PrivateKey, OpenSshPrivateKey, Jwt, DatabaseUrl, GenericSecret,
    ];
}
