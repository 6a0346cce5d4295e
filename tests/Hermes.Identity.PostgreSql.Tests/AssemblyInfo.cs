// One throwaway PostgreSQL server for every test here; each test uses a schema of its own.
[assembly: AssemblyFixture(typeof(PostgresFixture))]
