using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hermes.Identity.Delegations;

// The HMAC-SHA256 that binds a stored delegation's content (above all its profile key) to this installation: a record
// edited in the store (to another profile, a wider list of actions, a later expiry, an undone revocation) no longer
// matches its seal and is refused. The key is 32 random bytes in state/delegation.key under the data root, made on
// first use (owner-only on Unix), shared by every process on that root. It guards against writes to the store alone
// (a shared database another service can write); whoever can read the data root can read the key too.
internal sealed class DelegationSeal
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private byte[]? _key;

    public DelegationSeal(string root) => _path = Path.Combine(Path.GetFullPath(root), "state", "delegation.key");

    public string Compute(string body)
    {
        var key = Key();
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body)));
    }

    public bool Verify(string body, string? seal)
    {
        if (seal is null || seal.Length != 64)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Compute(body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(seal));
    }

    private byte[] Key()
    {
        if (Volatile.Read(ref _key) is { } key)
        {
            return key;
        }

        lock (_gate)
        {
            return _key ??= LoadOrCreate();
        }
    }

    private byte[] LoadOrCreate()
    {
        try
        {
            if (!File.Exists(_path))
            {
                Create();
            }

            var text = File.ReadAllText(_path).Trim();
            if (text.Length != 64 || !text.All(char.IsAsciiHexDigit))
            {
                throw new InvalidOperationException(
                    $"The delegation key file {_path} is not 64 hexadecimal characters, so no delegation can be checked. Restore it from a backup; " +
                    "if it is lost, delete it: a new key is made, and every existing delegation is refused and must be created again.");
            }

            return Convert.FromHexString(text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"Could not read or create the delegation key file {_path}: {ex.Message} Check that the data root is writable by the host.", ex);
        }
    }

    // Written to a temporary file and moved into place without overwriting: two processes making it at once agree on one key.
    private void Create()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        var temp = _path + "." + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture) + ".tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                stream.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n"));
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, _path, overwrite: false);
            }
            catch (IOException) when (File.Exists(_path))
            {
                // Another process made it first: use theirs.
            }
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
