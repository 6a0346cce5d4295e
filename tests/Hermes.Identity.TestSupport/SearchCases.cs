namespace Hermes.Identity.TestSupport;

/// <summary>
/// Search cases every session store must answer alike (the SQLite store and the PostgreSQL store run them): Chinese
/// text without spaces, terms of one and two characters, ASCII case folding, LIKE's special characters taken literally,
/// several terms, titles. A hit is named by its message's content, or <c>title:</c> and the session's title.
/// </summary>
public static class SearchCases
{
    /// <summary>The title of the session that holds <see cref="Messages"/>.</summary>
    public const string Title = "Trip to Beijing 北京";

    /// <summary>The messages appended, in order, to one session of one profile.</summary>
    public static readonly string[] Messages =
    [
        "Meet Mei at the airport at 9",
        "我们明天去北京看长城",
        "北京烤鸭很好吃",
        "The API key rotation is due",
        "ok",
        "100% sure about the_plan",
        "Straße und Café",
        "AIRPORT shuttle booked",
        "x",
    ];

    /// <summary>What another profile says, which a search of the first profile must never return.</summary>
    public static readonly string[] OtherProfileMessages = ["airport secret of someone else", "北京 is theirs too", "ok x 100% the_plan"];

    /// <summary>Each query and the hits it must give.</summary>
    public static readonly (string Query, string[] Hits)[] Cases =
    [
        ("airport", ["Meet Mei at the airport at 9", "AIRPORT shuttle booked"]),
        ("AirPort", ["Meet Mei at the airport at 9", "AIRPORT shuttle booked"]),
        ("北京", ["我们明天去北京看长城", "北京烤鸭很好吃", "title:" + Title]),
        ("长城", ["我们明天去北京看长城"]),
        ("北京 烤鸭", ["北京烤鸭很好吃"]),
        ("去北京看", ["我们明天去北京看长城"]),
        ("ok", ["ok", "AIRPORT shuttle booked"]),
        ("x", ["x"]),
        ("100%", ["100% sure about the_plan"]),
        ("%", ["100% sure about the_plan"]),
        ("_", ["100% sure about the_plan"]),
        ("e_p", ["100% sure about the_plan"]),
        ("api KEY", ["The API key rotation is due"]),
        ("Café", ["Straße und Café"]),
        ("ß", ["Straße und Café"]),
        ("mei airport", ["Meet Mei at the airport at 9"]),
        ("beijing", ["title:" + Title]),
        ("missing", []),
        ("airport missing", []),
    ];
}
