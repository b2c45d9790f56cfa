using System.Reflection;
using SmpVision.Tools;

var commands = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IToolCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IToolCommand)Activator.CreateInstance(t)!)
    .OrderBy(c => c.Name, StringComparer.Ordinal)
    .ToList();

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("SmpVision tools. Commands:");
    foreach (var c in commands)
    {
        Console.WriteLine($"  {c.Name,-22} {c.Usage}");
    }

    return args.Length == 0 ? 2 : 0;
}

var command = commands.FirstOrDefault(c => c.Name == args[0]);
if (command is null)
{
    Console.Error.WriteLine($"Unknown command '{args[0]}'. Run with --help for the list.");
    return 2;
}

return command.Run(args.Skip(1).ToArray());
