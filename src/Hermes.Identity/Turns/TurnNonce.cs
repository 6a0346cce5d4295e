using System.Security.Cryptography;

namespace Hermes.Identity;

// The turn's nonce: 16 bytes from the operating system's CSPRNG, as 32 lower-case hex digits. The bytes are drawn
// 4 KiB at a time into a buffer of the calling thread and handed out 16 at a time, each cleared once used: asking the
// runtime's generator for 16 bytes per turn costs a system call every time (OpenSSL checks its process id), about 3 µs
// on a virtual machine, more than the rest of the identity block. Drawing ahead weakens nothing: every nonce is still
// unpredictable CSPRNG output, used once, and never kept after it is handed out.
internal static class TurnNonce
{
    private const int NonceBytes = 16;
    private const int BufferBytes = 4096;

    [ThreadStatic]
    private static byte[]? Buffer;

    [ThreadStatic]
    private static int Next;

    public static string Create()
    {
        var buffer = Buffer ??= new byte[BufferBytes];
        if (Next == 0 || Next > BufferBytes - NonceBytes)
        {
            RandomNumberGenerator.Fill(buffer);
            Next = 0;
        }

        var bytes = buffer.AsSpan(Next, NonceBytes);
        Next += NonceBytes;
        var nonce = Convert.ToHexStringLower(bytes);
        bytes.Clear();
        return nonce;
    }
}
