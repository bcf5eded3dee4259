using System.Text;
using Mandate.Core.Governance.Inventory;

namespace Mandate.Core.Tests.Governance;

/// <summary>
/// The inventory parsers on hand-written estates in each format: machine users and service accounts become entries,
/// people are skipped and counted, and every malformed row is refused whole with its line while the rest go on.
/// </summary>
public sealed class InventoryParserTests
{
    internal const string ReportHeader = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    private static readonly string Report = string.Join('\n',
        ReportHeader,
        "<root_account>,arn:aws:iam::210987654321:root,2019-03-04T08:00:00+00:00,not_supported,2026-11-30T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "erin.admin,arn:aws:iam::210987654321:user/erin.admin,2021-06-01T12:00:00+00:00,true,2026-12-01T09:30:00+00:00,2026-09-01T09:30:00+00:00,N/A,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "etl-loader,arn:aws:iam::210987654321:user/data/etl-loader,2022-01-10T07:15:42+00:00,false,N/A,N/A,N/A,false,true,2025-02-01T07:15:42+00:00,2026-12-05T02:00:00+00:00,eu-central-1,s3,true,2026-10-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A",
        "old-exporter,arn:aws:iam::210987654321:user/old-exporter,2020-05-05T05:05:05+00:00,false,N/A,N/A,N/A,false,false,2020-05-05T05:06:00+00:00,no_information,N/A,N/A,false,N/A,N/A,N/A,N/A,true,2021-01-01T00:00:00+00:00,false,N/A",
        "broken-time,arn:aws:iam::210987654321:user/broken-time,yesterday,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "short-row,arn:aws:iam::210987654321:user/short-row,2022-01-10T07:15:42+00:00,false",
        "bad-flag,arn:aws:iam::210987654321:user/bad-flag,2022-01-10T07:15:42+00:00,false,N/A,N/A,N/A,false,yes,2025-02-01T07:15:42+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        "no-keys,arn:aws:iam::210987654321:user/no-keys,2023-03-03T03:03:03+00:00,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A",
        string.Empty);

    private static InventoryParse Parse(InventoryFormat format, string text, InventoryParseOptions? options = null) =>
        InventoryImporter.Parse(new InventoryImportRequest { Format = format, Content = Encoding.UTF8.GetBytes(text), FileName = "f", Options = options ?? new() });

    [Fact]
    public void CredentialReport_ShouldKeepMachineUsers_SkipPeople_AndRefuseBadRowsWithTheirLine()
    {
        var parse = Parse(InventoryFormat.AwsCredentialReport, Report, new InventoryParseOptions { DefaultOwner = "team:cloud" });
        Assert.Equal(2, parse.SkippedHumans);
        Assert.Equal(["arn:aws:iam::210987654321:user/data/etl-loader", "arn:aws:iam::210987654321:user/old-exporter", "arn:aws:iam::210987654321:user/no-keys"], parse.Entries.Select(e => e.ExternalId));
        Assert.Equal([6L, 7L, 8L], parse.Errors.Select(e => e.Line));
        Assert.Contains("user_creation_time", parse.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("fields where the header has 22", parse.Errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("access_key_1_active", parse.Errors[2].Reason, StringComparison.Ordinal);

        var etl = parse.Entries[0];
        Assert.Equal("aws", etl.Source);
        Assert.Equal("team:cloud", etl.Owner);
        Assert.Equal("etl-loader", etl.Labels["aws.user"]);
        Assert.Equal(["access_key_1", "access_key_2"], etl.Credentials.Select(c => c.Slot));
        var key1 = etl.Credentials[0];
        Assert.True(key1.Active);
        Assert.Equal(DateTimeOffset.Parse("2025-02-01T07:15:42Z", System.Globalization.CultureInfo.InvariantCulture), key1.LastRotatedAt);
        Assert.Equal("eu-central-1", key1.LastUsedRegion);
        Assert.Equal("s3", key1.LastUsedService);
        Assert.Null(etl.Credentials[1].LastUsedAt);

        var old = parse.Entries[1];
        Assert.Equal(["access_key_1", "cert_1"], old.Credentials.Select(c => c.Slot));
        Assert.False(old.Credentials[0].Active);
        Assert.Null(old.Credentials[0].LastUsedAt);
        Assert.Equal("certificate", old.Credentials[1].Kind);
        Assert.Empty(parse.Entries[2].Credentials);
    }

    [Fact]
    public void CredentialReport_ShouldRefuseAFileThatIsNotOne()
    {
        var parse = Parse(InventoryFormat.AwsCredentialReport, "name,arn\nx,y\n");
        var error = Assert.Single(parse.Errors);
        Assert.Equal(1, error.Line);
        Assert.Contains("user_creation_time", error.Reason, StringComparison.Ordinal);
        Assert.Empty(parse.Entries);
    }

    [Fact]
    public void CredentialReport_ShouldReadCrLfAndQuotedFields_AndReportAnUnclosedQuote()
    {
        var row = "\"svc,quoted\",arn:aws:iam::1:user/svc-quoted,2022-01-10T07:15:42+00:00,false,N/A,N/A,N/A,false,true,2025-02-01T07:15:42+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A";
        var parse = Parse(InventoryFormat.AwsCredentialReport, ReportHeader + "\r\n" + row + "\r\n\"unclosed,arn\r\n");
        Assert.Equal("svc,quoted", Assert.Single(parse.Entries).Labels["aws.user"]);
        Assert.Equal(3, Assert.Single(parse.Errors).Line);
    }

    [Fact]
    public void ServiceAccounts_ShouldTakeTheOwnerFromTheAnnotation_ThenTheLabel_ThenTheDefault()
    {
        const string list = """
            {
              "apiVersion": "v1",
              "items": [
                {
                  "apiVersion": "v1",
                  "kind": "ServiceAccount",
                  "metadata": {
                    "annotations": { "acme.io/owner": "team:payments", "mandate.io/purpose": "Charges cards" },
                    "creationTimestamp": "2024-04-02T11:22:33Z",
                    "name": "checkout",
                    "namespace": "payments",
                    "uid": "5d1c7f7e-0a7b-4c1e-9a53-3d3c9e0e1a11"
                  }
                },
                {
                  "apiVersion": "v1",
                  "kind": "ServiceAccount",
                  "metadata": {
                    "creationTimestamp": "2023-01-01T00:00:00Z",
                    "labels": { "acme.io/owner": "team-search", "app": "indexer" },
                    "name": "indexer",
                    "namespace": "search"
                  }
                },
                {
                  "apiVersion": "v1",
                  "kind": "ServiceAccount",
                  "metadata": { "creationTimestamp": "2022-02-02T00:00:00Z", "name": "default", "namespace": "kube-system" }
                },
                {
                  "apiVersion": "v1",
                  "kind": "ServiceAccount",
                  "metadata": { "name": "no-namespace" }
                },
                {
                  "apiVersion": "v1",
                  "kind": "ServiceAccount",
                  "metadata": { "name": "bad-time", "namespace": "x", "creationTimestamp": "last tuesday" }
                }
              ],
              "kind": "List",
              "metadata": { "resourceVersion": "" }
            }
            """;
        var parse = Parse(InventoryFormat.KubernetesServiceAccounts, list, new InventoryParseOptions { OwnerAnnotation = "acme.io/owner", DefaultOwner = "team:platform" });
        Assert.Equal(["payments/checkout", "search/indexer", "kube-system/default"], parse.Entries.Select(e => e.ExternalId));
        Assert.Equal(["team:payments", "team-search", "team:platform"], parse.Entries.Select(e => e.Owner));
        Assert.Equal("Charges cards", parse.Entries[0].Purpose);
        Assert.Equal("k8s", parse.Entries[0].Source);
        Assert.Equal(DateTimeOffset.Parse("2024-04-02T11:22:33Z", System.Globalization.CultureInfo.InvariantCulture), parse.Entries[0].CreatedAt);
        Assert.Equal([30L, 35L], parse.Errors.Select(e => e.Line));
        Assert.Contains("metadata.namespace", parse.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("creationTimestamp", parse.Errors[1].Reason, StringComparison.Ordinal);

        var none = Parse(InventoryFormat.KubernetesServiceAccounts, list);
        Assert.Null(none.Entries[2].Owner);
    }

    [Fact]
    public void ServiceAccounts_ShouldReportMalformedJsonWithItsLine()
    {
        var parse = Parse(InventoryFormat.KubernetesServiceAccounts, "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\"metadata\": }\n  ]\n}");
        Assert.Equal(4, Assert.Single(parse.Errors).Line);
        Assert.Empty(parse.Entries);
    }

    [Fact]
    public void MandateJson_ShouldReadEveryField_AndRefuseASecretValue()
    {
        var fingerprint = "sha256:" + new string('0', 63) + "f";
        var json = $$"""
            {"identities": [
              {"source": "vault", "external_id": "approle/reporting", "kind": "api_key", "owner": "team:bi", "purpose": "Nightly reports",
               "status": "active", "created_at": "2025-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z", "labels": {"env": "prod"},
               "credentials": [{"slot": "secret-id", "kind": "secret", "id": "accessor-9f2", "active": true, "created_at": "2025-01-01T00:00:00Z",
                                "last_used_at": "2026-11-01T00:00:00Z", "fingerprint": "{{fingerprint}}"}]},
              {"source": "vault", "external_id": "approle/leaky", "credentials": [{"slot": "s", "secret": "hunter2"}]},
              {"source": "Vault!", "external_id": "x"}
            ]}
            """;
        var parse = Parse(InventoryFormat.Json, json);
        var entry = Assert.Single(parse.Entries);
        Assert.Equal("api_key", entry.Kind);
        Assert.Equal("prod", entry.Labels["env"]);
        Assert.Equal(fingerprint, entry.Credentials[0].Fingerprint);
        Assert.Equal("accessor-9f2", entry.Credentials[0].CredentialId);
        Assert.Equal([6L, 7L], parse.Errors.Select(e => e.Line));
        Assert.Contains("never imported", parse.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("source", parse.Errors[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void MandateCsv_ShouldGroupCredentialRowsPerIdentity_AndRefuseAConflictingRow()
    {
        var csv = string.Join('\n',
            "source,external_id,kind,owner,purpose,status,created_at,expires_at,labels,credential_slot,credential_kind,credential_id,credential_active,credential_created_at,credential_last_rotated_at,credential_last_used_at,credential_last_used_region,credential_last_used_service,credential_expires_at,credential_fingerprint",
            "gcp,sa-billing@proj.iam.gserviceaccount.com,service_account,team:billing,Invoices,active,2024-01-01T00:00:00Z,,env=prod;tier=1,key-1,access_key,6f1e0c,true,2024-01-01T00:00:00Z,2024-01-01T00:00:00Z,2026-12-01T00:00:00Z,europe-west1,bigquery,,",
            "gcp,sa-billing@proj.iam.gserviceaccount.com,service_account,team:billing,Invoices,active,2024-01-01T00:00:00Z,,env=prod;tier=1,key-2,access_key,77aa01,false,2025-01-01T00:00:00Z,,,,,,",
            "gcp,sa-billing@proj.iam.gserviceaccount.com,service_account,team:other,Invoices,active,2024-01-01T00:00:00Z,,env=prod;tier=1,key-3,access_key,,true,,,,,,,",
            "gcp,sa-ci@proj.iam.gserviceaccount.com,ci_pipeline,,,disabled,,,,,,,,,,,,,,",
            "gcp,sa-bad@proj.iam.gserviceaccount.com,robot,,,,,,,,,,,,,,,,,",
            "gcp,sa-half@proj.iam.gserviceaccount.com,service_account,,,,,,,,,,,2024-01-01T00:00:00Z,,,,,,",
            string.Empty);
        var parse = Parse(InventoryFormat.Csv, csv, new InventoryParseOptions { DefaultOwner = "team:default" });
        Assert.Equal(2, parse.Entries.Count);
        var billing = parse.Entries[0];
        Assert.Equal(["key-1", "key-2"], billing.Credentials.Select(c => c.Slot));
        Assert.False(billing.Credentials[1].Active);
        Assert.Equal("1", billing.Labels["tier"]);
        Assert.Equal("team:default", parse.Entries[1].Owner);
        Assert.Equal("disabled", parse.Entries[1].Status);
        Assert.Equal([4L, 6L, 7L], parse.Errors.Select(e => e.Line));
        Assert.Contains("differ", parse.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("kind", parse.Errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("credential_slot", parse.Errors[2].Reason, StringComparison.Ordinal);
    }
}
