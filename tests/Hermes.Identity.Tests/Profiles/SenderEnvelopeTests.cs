namespace Hermes.Identity.Tests.Profiles;

public class SenderEnvelopeTests
{
    [Theory]
    [InlineData("telegram", "telegram")]
    [InlineData("  Telegram ", "telegram")]
    [InlineData("DISCORD", "discord")]
    [InlineData("we_chat-2", "we_chat-2")]
    public void Platform_is_trimmed_and_lower_cased(string given, string expected)
        => Assert.Equal(expected, new SenderEnvelope(given, "1").Platform);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tele gram")]
    [InlineData("telegram:")]
    [InlineData("-telegram")]
    [InlineData("tèlegram")]
    [InlineData("a-platform-name-that-is-far-too-long-x")]
    public void Invalid_platform_names_are_refused_with_what_to_use(string platform)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SenderEnvelope(platform, "1"));
        Assert.Contains("such as \"telegram\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_user_id_is_refused()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SenderEnvelope("telegram", ""));
        Assert.Contains("empty", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("111\n")]
    [InlineData("1\u00001")]
    [InlineData("\u001b[31m111")]
    [InlineData("11\u00851")]
    public void Control_characters_in_ids_are_refused(string id)
    {
        Assert.Throws<ArgumentException>(() => new SenderEnvelope("telegram", id));
        Assert.Throws<ArgumentException>(() => new SenderEnvelope("telegram", "1", chatId: id));
    }

    [Fact]
    public void Over_long_ids_are_refused_not_truncated()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SenderEnvelope("telegram", new string('1', SenderEnvelope.MaxIdLength + 1)));
        Assert.Contains($"at most {SenderEnvelope.MaxIdLength}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void User_id_is_opaque_and_kept_exactly()
    {
        var envelope = new SenderEnvelope("slack", " U01AB ");
        Assert.Equal(" U01AB ", envelope.UserId);
        Assert.NotEqual(new SenderEnvelope("slack", "u01ab").Principal, new SenderEnvelope("slack", "U01AB").Principal);
    }

    [Fact]
    public void Principal_is_platform_qualified()
    {
        Assert.NotEqual(new SenderEnvelope("discord", "111").Principal, new SenderEnvelope("telegram", "111").Principal);
        Assert.Equal("telegram:111", new SenderEnvelope("telegram", "111").ToString());
    }

    [Fact]
    public void Unknown_chat_kind_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => new SenderEnvelope("telegram", "1", chatKind: (ChatKind)42));
}
