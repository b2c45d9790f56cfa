using k8s;
using k8s.Models;

namespace SmpVision.Service.Tests;

/// <summary>
/// The Kubernetes manifests in deploy/k8s parse strictly as Kubernetes objects (KubernetesClient:
/// an unknown or misspelt field fails), and agree with each other and with the service: probe
/// port, selectors, HPA target, resources sized from the stated memory bound, the PostgreSQL key.
/// </summary>
public sealed class DeploymentManifestTests
{
    private static readonly string Directory = FindDeployDirectory();

    private static string FindDeployDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "deploy", "k8s");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("deploy/k8s not found above the test output directory.");
    }

    private static List<object> Load(string file) =>
        KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(Directory, file)), strict: true).ToList();

    private static T One<T>(string file) => Assert.IsType<T>(Assert.Single(Load(file)));

    [Fact]
    public void Every_manifest_parses_strictly_and_kustomization_lists_them_all()
    {
        var files = System.IO.Directory.GetFiles(Directory, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order().ToList();
        foreach (var file in files)
        {
            Assert.NotEmpty(Load(file!));
        }

        var kustomization = File.ReadAllText(Path.Combine(Directory, "kustomization.yaml"));
        Assert.All(files, f => Assert.Contains("- " + f, kustomization, StringComparison.Ordinal));
    }

    [Fact]
    public void Deployment_probes_grpc_health_and_is_sized_from_the_memory_bound()
    {
        var deployment = One<V1Deployment>("deployment.yaml");
        var pod = deployment.Spec.Template;
        var container = Assert.Single(pod.Spec.Containers);
        Assert.Equal(deployment.Spec.Selector.MatchLabels, pod.Metadata.Labels);
        Assert.Contains(container.Ports, p => p.Name == "grpc" && p.ContainerPort == 5180);
        foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe })
        {
            Assert.Equal(5180, probe.Grpc.Port);
        }

        var env = container.Env.ToDictionary(e => e.Name);
        Assert.Equal("ApiKey", env["SmpVision__Security__Mode"].Value);
        Assert.Equal("connection-string", env["SmpVision__Records__PostgresConnectionString"].ValueFrom.SecretKeyRef.Key);

        // Memory: concurrent analyses x (8 x the decoded BGR bytes of the largest decode) + the
        // process at rest + the upload buffer must fit the limit (README "Running at scale").
        var concurrency = int.Parse(env["SmpVision__Service__MaxConcurrentAnalyses"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var maxPixels = long.Parse(env["SmpVision__Pipeline__Decoding__MaxPixels"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var uploads = long.Parse(env["SmpVision__Service__MaxBufferedUploadBytes"].Value, System.Globalization.CultureInfo.InvariantCulture);
        const long RestBytes = 400L << 20; // the process at rest, measured (bench-memory) with margin
        var needed = (concurrency * 8L * maxPixels * 3) + RestBytes + uploads;
        var limit = container.Resources.Limits["memory"].ToInt64();
        var request = container.Resources.Requests["memory"].ToInt64();
        Assert.True(limit >= needed, $"memory limit {limit >> 20} MiB below the bound {needed >> 20} MiB");
        Assert.True(request <= limit);
        Assert.Equal(container.Resources.Limits["cpu"].ToDecimal(), concurrency);
    }

    [Fact]
    public void Service_hpa_and_pdb_select_the_deployment()
    {
        var deployment = One<V1Deployment>("deployment.yaml");
        var labels = deployment.Spec.Template.Metadata.Labels;
        var services = Load("service.yaml").Cast<V1Service>().ToList();
        Assert.Equal(2, services.Count);
        Assert.All(services, s => Assert.Equal(labels, s.Spec.Selector));
        Assert.Contains(services, s => s.Spec.ClusterIP == "None"); // headless, for client-side balancing
        Assert.All(services, s => Assert.Contains(s.Spec.Ports, p => p.Port == 5180 && p.AppProtocol == "kubernetes.io/h2c"));

        var hpa = One<V2HorizontalPodAutoscaler>("hpa.yaml");
        Assert.Equal(deployment.Metadata.Name, hpa.Spec.ScaleTargetRef.Name);
        Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
        Assert.Equal("cpu", Assert.Single(hpa.Spec.Metrics).Resource.Name);
        Assert.True(hpa.Spec.MinReplicas >= 2);

        var pdb = One<V1PodDisruptionBudget>("pdb.yaml");
        Assert.Equal(labels, pdb.Spec.Selector.MatchLabels);
        Assert.True(pdb.Spec.MinAvailable.Value is not null);
        Assert.True(hpa.Spec.MinReplicas > int.Parse(pdb.Spec.MinAvailable.Value, System.Globalization.CultureInfo.InvariantCulture));
    }
}
