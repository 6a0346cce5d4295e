using System.Threading.Channels;

namespace Hermes.Identity.Directories;

// The lookups of a full directory read, built while the directory is still being read. A million people take the
// reader (decoding the rows, making the entries) about three times as long as the two lookups take to build, so past the
// first chunk of people the lookups are built on a second thread, chunk by chunk and in order, while the reader goes on:
// on two cores the build is hidden behind the read. The result is the same as one pass in order: a key or account given
// twice, the last one wins (an account the earlier entry of a key held and nobody later took is dropped).
internal sealed class DirectoryPeopleBuilder : IDisposable
{
    private const int ChunkSize = 4096;
    private readonly Dictionary<string, DirectoryPerson> _byKey;
    private readonly Dictionary<string, DirectoryPerson> _byAccount;
    private Channel<(DirectoryPerson[] People, int Count)>? _chunks;
    private Task? _consumer;
    private DirectoryPerson[] _chunk = new DirectoryPerson[ChunkSize];
    private int _filled;

    /// <param name="expectedCount">How many people are expected (0 when unknown): the lookups are sized for them.</param>
    public DirectoryPeopleBuilder(int expectedCount = 0)
    {
        _byKey = new Dictionary<string, DirectoryPerson>(expectedCount, StringComparer.Ordinal);
        _byAccount = new Dictionary<string, DirectoryPerson>(expectedCount, AccountKeyComparer.Instance);
    }

    public void Add(DirectoryPerson person)
    {
        ArgumentNullException.ThrowIfNull(person);
        _chunk[_filled++] = person;
        if (_filled == ChunkSize)
        {
            Hand(_chunk, _filled);
            _chunk = new DirectoryPerson[ChunkSize];
            _filled = 0;
        }
    }

    /// <summary>The people added, at <paramref name="version"/>. The builder is spent.</summary>
    public DirectoryPeople Build(long version)
    {
        if (_chunks is null)
        {
            Insert(_chunk, _filled);
        }
        else
        {
            _chunks.Writer.TryWrite((_chunk, _filled));
            _chunks.Writer.Complete();
            _consumer!.GetAwaiter().GetResult();
        }

        _chunk = [];
        _filled = 0;
        return DirectoryPeople.FromLookups(version, _byKey, _byAccount);
    }

    // A read that failed half way: the second thread is stopped and waited for.
    public void Dispose()
    {
        if (_chunks is not null && _chunks.Writer.TryComplete())
        {
            try
            {
                _consumer!.GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
                // The builder's own failure, already surfaced or irrelevant once the read failed.
            }
        }
    }

    private void Hand(DirectoryPerson[] people, int count)
    {
        if (Environment.ProcessorCount < 2)
        {
            Insert(people, count);
            return;
        }

        if (_chunks is null)
        {
            _chunks = Channel.CreateUnbounded<(DirectoryPerson[], int)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var reader = _chunks.Reader;
            _consumer = Task.Run(async () =>
            {
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (reader.TryRead(out var chunk))
                    {
                        Insert(chunk.People, chunk.Count);
                    }
                }
            });
        }

        _chunks.Writer.TryWrite((people, count));
    }

    private void Insert(DirectoryPerson[] people, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var person = people[i];
            if (_byKey.TryGetValue(person.Key, out var earlier))
            {
                DirectoryPeople.Unlink(_byAccount, earlier);
            }

            _byKey[person.Key] = person;
            for (var a = 0; a < person.AccountCount; a++)
            {
                _byAccount[person.AccountAt(a)] = person;
            }
        }
    }
}
