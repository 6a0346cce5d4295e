using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Identity.Tools;

namespace Hermes.Identity.Tests.Tools;

// The one documented digest: SHA-256 of canonical JSON. Equal arguments give one digest whichever stack parsed them.
public sealed class ToolArgumentsTests
{
    [Fact]
    public void The_canonical_form_sorts_members_at_every_depth_and_drops_whitespace()
    {
        var parsed = JsonDocument.Parse("""{ "z": 1, "a": { "y": [3, {"b": true, "a": null}], "x": "é" } }""").RootElement;
        var arguments = parsed.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, (object?)p.Value));

        Assert.Equal("""{"a":{"x":"é","y":[3,{"a":null,"b":true}]},"z":1}""", ToolArguments.ToCanonicalJson(arguments));
    }

    [Fact]
    public void The_digest_is_sha256_hex_of_the_canonical_utf8()
    {
        var arguments = new Dictionary<string, object?> { ["to"] = "mei@example.com", ["subject"] = "你好" };
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("""{"subject":"你好","to":"mei@example.com"}""")));

        Assert.Equal(expected, ToolArguments.ComputeDigest(arguments));
        Assert.Equal(64, expected.Length);
    }

    [Fact]
    public void No_arguments_and_an_empty_object_are_the_same()
    {
        Assert.Equal("{}", ToolArguments.ToCanonicalJson(null));
        Assert.Equal(ToolArguments.ComputeDigest(null), ToolArguments.ComputeDigest(new Dictionary<string, object?>()));
    }

    [Fact]
    public void Json_elements_nodes_and_clr_values_of_equal_content_give_one_digest()
    {
        const string json = """{"path":"notes/a.md","count":2,"ratio":0.5,"flags":[true,false],"meta":{"k":"v"},"none":null}""";
        var fromElement = JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, (object?)p.Value)).ToList();
        var fromNode = JsonNode.Parse(json)!.AsObject().Select(p => KeyValuePair.Create(p.Key, (object?)p.Value)).ToList();
        var fromClr = new Dictionary<string, object?>
        {
            ["none"] = null,
            ["meta"] = new Dictionary<string, string> { ["k"] = "v" },
            ["flags"] = new[] { true, false },
            ["ratio"] = 0.5m,
            ["count"] = 2L,
            ["path"] = "notes/a.md",
        };

        var digest = ToolArguments.ComputeDigest(fromElement);
        Assert.Equal(digest, ToolArguments.ComputeDigest(fromNode));
        Assert.Equal(digest, ToolArguments.ComputeDigest(fromClr));
    }

    [Theory]
    [InlineData("1", "1.0")]
    [InlineData("100", "1e2")]
    [InlineData("0.5", "5e-1")]
    public void Numbers_are_written_in_one_form(string a, string b)
    {
        Assert.Equal(Digest($$"""{"n":{{a}}}"""), Digest($$"""{"n":{{b}}}"""));
    }

    [Theory]
    [InlineData("""{"to":"a"}""", """{"to":"b"}""")]
    [InlineData("""{"n":1}""", """{"n":"1"}""")]
    [InlineData("""{"list":[1,2]}""", """{"list":[2,1]}""")]
    [InlineData("""{"a":null}""", """{}""")]
    public void Different_arguments_give_different_digests(string a, string b)
    {
        Assert.NotEqual(Digest(a), Digest(b));
    }

    [Fact]
    public void A_value_it_cannot_write_asks_for_serializer_options()
    {
        var arguments = new Dictionary<string, object?> { ["when"] = new Uri("https://example.com/") };

        var error = Assert.Throws<ArgumentException>(() => ToolArguments.ComputeDigest(arguments));
        Assert.Contains("JsonSerializerOptions", error.Message, StringComparison.Ordinal);
        Assert.Equal(
            ToolArguments.ComputeDigest(new Dictionary<string, object?> { ["when"] = "https://example.com/" }),
            ToolArguments.ComputeDigest(arguments, JsonSerializerOptions.Default));
    }

    [Fact]
    public void Nan_is_refused()
    {
        Assert.Throws<ArgumentException>(() => ToolArguments.ComputeDigest(new Dictionary<string, object?> { ["x"] = double.NaN }));
    }

    private static string Digest(string json) =>
        ToolArguments.ComputeDigest(JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, (object?)p.Value)));
}
