using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Mandate.Server.Tests.Cluster;

/// <summary>
/// A loopback TCP relay between one node and the test PostgreSQL, so a test can take PostgreSQL away from that node alone
/// (every connection cut, new ones refused) and give it back, as a network fault or a database restart would, without
/// touching the server other tests share.
/// </summary>
internal sealed class PostgresProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint target;
    private readonly ConcurrentDictionary<Socket, byte> open = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private volatile bool down;

    private PostgresProxy(IPEndPoint target)
    {
        this.target = target;
        listener.Start();
        accepting = AcceptAsync();
    }

    /// <summary>The connection string that reaches <paramref name="connection"/>'s server through this relay.</summary>
    public string Through(string connection) =>
        new NpgsqlConnectionStringBuilder(connection) { Host = "127.0.0.1", Port = ((IPEndPoint)listener.LocalEndpoint).Port, Pooling = true }.ToString();

    public static PostgresProxy To(string connection)
    {
        var builder = new NpgsqlConnectionStringBuilder(connection);
        var address = IPAddress.TryParse(builder.Host, out var parsed) ? parsed : IPAddress.Loopback;
        return new PostgresProxy(new IPEndPoint(address, builder.Port));
    }

    /// <summary>PostgreSQL is gone for the node: open connections are cut and new ones closed at once.</summary>
    public void Cut()
    {
        down = true;
        foreach (var socket in open.Keys)
        {
            Close(socket);
        }
    }

    public void Restore() => down = false;

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        Cut();
        try
        {
            await accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var client = await listener.AcceptSocketAsync(stop.Token);
            if (down)
            {
                client.Dispose();
                continue;
            }

            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        open[client] = 0;
        open[server] = 0;
        try
        {
            await server.ConnectAsync(target, stop.Token);
            await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Close(client);
            Close(server);
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, stop.Token);
                if (read == 0)
                {
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void Close(Socket socket)
    {
        open.TryRemove(socket, out _);
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }
}
