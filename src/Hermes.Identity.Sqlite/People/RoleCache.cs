using System.Text;

namespace Hermes.Identity.Sqlite.People;

// The roles of a full directory read: a directory has a few roles and a million people, so each role is decoded once and
// the same string shared by everyone who has it (matched on the row's UTF-8 bytes, so no string is made to compare).
// Past MaxRoles distinct roles, the rest are decoded row by row.
internal sealed class RoleCache
{
    private const int MaxRoles = 32;
    private readonly List<(byte[] Utf8, string Role)> _roles = [];
    private int _last;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (_roles.Count != 0 && utf8.SequenceEqual(_roles[_last].Utf8))
        {
            return _roles[_last].Role;
        }

        for (var i = 0; i < _roles.Count; i++)
        {
            if (utf8.SequenceEqual(_roles[i].Utf8))
            {
                _last = i;
                return _roles[i].Role;
            }
        }

        var role = Encoding.UTF8.GetString(utf8);
        if (_roles.Count < MaxRoles)
        {
            _roles.Add((utf8.ToArray(), role));
            _last = _roles.Count - 1;
        }

        return role;
    }
}
