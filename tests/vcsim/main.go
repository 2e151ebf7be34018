// Command vcsimpeer is the project's own vCenter for tests: govmomi's simulator
// library (Debian's golang-github-vmware-govmomi-dev 0.24.2, which ships no vcsim
// main) plus what the tests need and stock vcsim lacks: maintenance-mode events on
// real EnterMaintenanceMode_Task/ExitMaintenanceMode_Task calls, their change of
// runtime.inMaintenanceMode reported to WaitForUpdatesEx filters, enforced
// credentials, a settable about.instanceUuid, enter-maintenance tasks that stay
// running until SetTaskState or CancelTask ends them, any loopback address with a
// certificate for it, and a CA file and URL file that a test JVM can wait for.
// soap-transcript.md shows the calls; docs/testing.md, its use.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"io/ioutil"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "host:port to listen on (port 0 picks a free one); any of 127.0.0.0/8 tells simulators apart by host")
	urlFile := flag.String("url-file", "", "write the SDK URL here (atomically) once the server listens")
	certFile := flag.String("cert-file", "", "write the server's TLS certificate here as PEM (a CA for clients)")
	keyFile := flag.String("key-file", "", "with -cert-file: keep the private key here; when both files exist, serve them instead of a new certificate (a restart on the same address)")
	username := flag.String("username", "", "the only user name Login accepts (required)")
	password := flag.String("password", "", "the only password Login accepts (required)")
	instanceUUID := flag.String("instance-uuid", "", "about.instanceUuid to report (default: the simulator's own)")
	dcs := flag.Int("datacenters", 1, "datacenters")
	clusters := flag.Int("clusters", 1, "clusters per datacenter")
	clusterHosts := flag.Int("cluster-hosts", 3, "hosts per cluster")
	standalone := flag.Int("standalone-hosts", 1, "standalone hosts per datacenter")
	vms := flag.Int("vms", 0, "VMs per resource pool (0 keeps start-up fast and the event log short)")
	stdinExit := flag.Bool("stdinexit", false, "exit when stdin reaches EOF (the parent process died)")
	holdEnter := flag.Bool("hold-enter-tasks", false, "EnterMaintenanceMode_Task leaves its task running, for SetTaskState or CancelTask to end")
	flag.Parse()

	if *username == "" || *password == "" {
		fail("-username and -password are required")
	}
	for _, n := range []int{*dcs, *clusters, *clusterHosts, *standalone, *vms} {
		if n < 0 {
			fail("inventory counts must not be negative")
		}
	}
	if *instanceUUID != "" {
		if _, err := uuid.Parse(*instanceUUID); err != nil {
			fail("-instance-uuid: " + err.Error())
		}
	}

	model := simulator.VPX()
	model.Datacenter = *dcs
	model.Cluster = *clusters
	model.ClusterHost = *clusterHosts
	model.Host = *standalone
	model.Machine = *vms
	model.Portgroup = 0 // no DVS: hosts need none, and it is work at start-up
	model.Datastore = 0 // a datastore is a temporary directory; only VMs need one
	if *vms > 0 {
		model.Datastore = 1
	}
	if err := model.Create(); err != nil {
		fail("creating the inventory: " + err.Error())
	}
	defer model.Remove()

	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	// The VPX ServiceContent carries a fixed instanceUuid (0.24.2 assigns a random one
	// to a copy only), so two simulators look like the same vCenter unless told apart.
	if *instanceUUID != "" {
		si.Content.About.InstanceUuid = *instanceUUID
	}
	pc := &propertyCollector{}
	pc.Self = si.Content.PropertyCollector
	simulator.Map.Put(pc) // replaces the stock singleton under the same moref

	// Listen.User is what SessionManager.validLogin compares Login against; leaving it
	// nil (or DefaultLogin) would accept any non-empty user name and password.
	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}
	// A client that tells simulators apart by loopback address (127.0.0.3, ...) must
	// find that address in the certificate, or hostname verification fails.
	var listenIP net.IP
	if host, _, err := net.SplitHostPort(*listen); err == nil {
		if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
			listenIP = ip
		}
	}
	cert, reused, err := certificate(*certFile, *keyFile, listenIP)
	if err != nil {
		fail("the TLS certificate: " + err.Error())
	}
	// Our own certificate rather than the library's built-in one: that one is RSA-1024
	// with its private key published in the govmomi sources.
	model.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}

	hook := &maintenanceEvents{}
	if *holdEnter {
		hook.taskManager = simulator.Map.Get(*si.Content.TaskManager).(*simulator.TaskManager)
	}
	simulator.Map.AddHandler(hook)

	server := newServer(model.Service)
	sdk := *server.URL
	sdk.User = nil // Server.URL carries the credentials; never print or write them

	// The certificate first: a test that sees the URL file may connect at once.
	if *certFile != "" && !reused {
		block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
		if *keyFile != "" {
			der, err := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
			if err != nil {
				fail(err.Error())
			}
			if err := writeAtomic(*keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
				fail(err.Error())
			}
		}
		if err := writeAtomic(*certFile, block); err != nil {
			fail(err.Error())
		}
	}
	if *urlFile != "" {
		if err := writeAtomic(*urlFile, []byte(sdk.String()+"\n")); err != nil {
			fail(err.Error())
		}
	}
	fmt.Printf("vcsim listening on %s\n", sdk.String())

	stop := make(chan os.Signal, 2)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	if *stdinExit {
		go func() {
			_, _ = io.Copy(ioutil.Discard, os.Stdin)
			stop <- syscall.SIGTERM
		}()
	}
	<-stop

	// Close waits for active requests, and a client's WaitForUpdatesEx can hold one
	// for minutes: give it a moment, then exit regardless.
	closed := make(chan struct{})
	go func() { server.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
	}
}

// newServer turns the library's panic on a listen failure into a plain error.
func newServer(s *simulator.Service) (server *simulator.Server) {
	defer func() {
		if r := recover(); r != nil {
			fail(fmt.Sprint(r))
		}
	}()
	return s.NewServer()
}

// maintenanceEvents is a simulator.RegisterObject: the registry calls UpdateObject on
// every Map.Update, and a task's state changes arrive as *mo.Task with a change named
// "info.state". Stock 0.24 only flips runtime.inMaintenanceMode; real vCenter also
// logs these three events, which is what the project consumes.
type maintenanceEvents struct {
	// With -hold-enter-tasks (else nil): PutObject makes EnterMaintenanceMode tasks wait.
	taskManager *simulator.TaskManager
}

func (*maintenanceEvents) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VcsimPeerHook", Value: "maintenance-events"}
}
func (*maintenanceEvents) RemoveObject(types.ManagedObjectReference) {}

// PutObject sees every new task before it runs (CreateTask puts it, then Run runs it).
func (m *maintenanceEvents) PutObject(obj mo.Reference) {
	task, ok := obj.(*simulator.Task)
	if !ok {
		return
	}
	switch {
	case task.Info.DescriptionId == "HostSystem.enterMaintenanceMode" && m.taskManager != nil:
		task.Execute = m.holdEnter // instead of setting runtime.inMaintenanceMode
	case task.Info.DescriptionId == "HostSystem.enterMaintenanceMode":
		task.Execute = inMaintenanceMode(true)
	case task.Info.DescriptionId == "HostSystem.exitMaintenanceMode":
		task.Execute = inMaintenanceMode(false)
	}
}

// inMaintenanceMode is a maintenance task's Execute that sets the host's
// runtime.inMaintenanceMode through the registry. Stock 0.24 sets the field directly,
// so a fresh read sees it but no WaitForUpdatesEx filter ever does; vCenter reports it
// to filters, and the integration's watch follows it there.
func inMaintenanceMode(in bool) func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
	return func(t *simulator.Task) (types.AnyType, types.BaseMethodFault) {
		host := simulator.Map.Get(*t.Info.Entity).(*simulator.HostSystem) // locked: we run in its method
		simulator.Map.Update(host, []types.PropertyChange{{Name: "runtime.inMaintenanceMode", Val: in}})
		return nil, nil
	}
}

func (m *maintenanceEvents) UpdateObject(obj mo.Reference, changes []types.PropertyChange) {
	task, ok := obj.(*mo.Task)
	if !ok || task.Info.Entity == nil || task.Info.Entity.Type != "HostSystem" {
		return
	}
	if m.taskManager != nil && replaced(task) {
		return // the success Run gives a held task's stand-in (see holdEnter) is no news
	}
	for _, c := range changes {
		if c.Name != "info.state" {
			continue
		}
		state, _ := c.Val.(types.TaskInfoState)
		var e types.BaseEvent
		switch {
		case task.Info.DescriptionId == "HostSystem.enterMaintenanceMode" && state == types.TaskInfoStateRunning:
			e = &types.EnteringMaintenanceModeEvent{HostEvent: hostEvent(*task.Info.Entity)}
		case task.Info.DescriptionId == "HostSystem.enterMaintenanceMode" && state == types.TaskInfoStateSuccess:
			e = &types.EnteredMaintenanceModeEvent{HostEvent: hostEvent(*task.Info.Entity)}
		case task.Info.DescriptionId == "HostSystem.exitMaintenanceMode" && state == types.TaskInfoStateSuccess:
			e = &types.ExitMaintenanceModeEvent{HostEvent: hostEvent(*task.Info.Entity)}
		default:
			continue
		}
		user := "vcsim" // what the simulator puts in every task's reason
		if r, ok := task.Info.Reason.(*types.TaskReasonUser); ok {
			user = r.UserName
		}
		// PostEvent sets key, chainId, createdTime, fullFormattedMessage and takes
		// userName from the context's session; it must run under the manager's lock.
		ctx := &simulator.Context{Context: context.Background(),
			Session: &simulator.Session{UserSession: types.UserSession{UserName: user}}}
		em := simulator.Map.EventManager()
		simulator.Map.WithLock(em, func() { em.PostEvent(ctx, &types.PostEvent{EventToPost: e}) })
	}
}

// holdEnter is an EnterMaintenanceMode task's Execute under -hold-enter-tasks. Stock
// 0.24 runs a task to its end inside the call that starts it, but the project must see
// a host entering maintenance: vCenter's task running, runtime.inMaintenanceMode still
// false. Run has marked t running (so UpdateObject posted EnteringMaintenanceModeEvent)
// and marks it success as soon as this returns; so t gives its moref to a heldTask copy,
// which the registry then serves and SetTaskState or CancelTask ends. Run's success
// lands on t, which nothing reads any more, but is still announced under the moref:
// UpdateObject ignores it, and so does a WaitForUpdatesEx filter that finds the task
// later; only a filter already reaching it through a recentTask at that instant sees it.
func (m *maintenanceEvents) holdEnter(t *simulator.Task) (types.AnyType, types.BaseMethodFault) {
	host := simulator.Map.Get(*t.Info.Entity).(*simulator.HostSystem) // locked: we run in its method
	held := &heldTask{Task: t.Task, host: host}
	held.Info.EntityName = host.Name // the stock task names the moref
	held.Info.Cancelable = true      // as vCenter's enter-maintenance task is
	simulator.Map.Put(held)

	// That Put told the TaskManager of the task a second time; keep the first mention.
	m.taskManager.Lock()
	recent := make([]types.ManagedObjectReference, 0, len(m.taskManager.RecentTask))
	seen := false
	for _, ref := range m.taskManager.RecentTask {
		if ref == held.Self {
			if seen {
				continue
			}
			seen = true
		}
		recent = append(recent, ref)
	}
	simulator.Map.Update(m.taskManager, []types.PropertyChange{{Name: "recentTask", Val: recent}})
	m.taskManager.Unlock()

	// vCenter lists an entity's tasks in its ManagedEntity.recentTask, and keeps them
	// there a while after they end; 0.24 never fills it.
	hostTasks := append(append([]types.ManagedObjectReference(nil), host.RecentTask...), held.Self)
	simulator.Map.Update(host, []types.PropertyChange{{Name: "recentTask", Val: hostTasks}})
	return nil, nil
}

// replaced tells whether task is a held task's stand-in: the registry serves another
// object under its moref.
func replaced(task *mo.Task) bool {
	held, ok := simulator.Map.Get(task.Self).(*heldTask)
	return ok && &held.Task != task
}

// heldTask is a running EnterMaintenanceMode task that only SetTaskState or CancelTask
// ends: the vSphere API's own Task methods, which 0.24's Task lacks.
type heldTask struct {
	mo.Task // first field: the simulator digs the mo type out of it
	host    *simulator.HostSystem
}

// SetTaskState success puts the host into maintenance and ends the task, which posts
// EnteredMaintenanceModeEvent (UpdateObject); error ends it with the fault given.
func (t *heldTask) SetTaskState(ctx *simulator.Context, r *types.SetTaskState) soap.HasFault {
	body := &methods.SetTaskStateBody{}
	switch {
	case t.ended():
		body.Fault_ = simulator.Fault("the task has already ended", &types.InvalidState{})
	case r.State == types.TaskInfoStateRunning:
		body.Res = new(types.SetTaskStateResponse) // it is
	case r.State == types.TaskInfoStateSuccess:
		ctx.WithLock(t.host, func() {
			simulator.Map.Update(t.host, []types.PropertyChange{{Name: "runtime.inMaintenanceMode", Val: true}})
		})
		var changes []types.PropertyChange
		if r.Result != nil {
			changes = append(changes, types.PropertyChange{Name: "info.result", Val: r.Result})
		}
		t.end(types.TaskInfoStateSuccess, changes...)
		body.Res = new(types.SetTaskStateResponse)
	case r.State == types.TaskInfoStateError:
		fault := r.Fault
		if fault == nil || fault.Fault == nil { // info.error is never empty on an error
			fault = &types.LocalizedMethodFault{Fault: &types.SystemError{Reason: "SetTaskState error"},
				LocalizedMessage: "SetTaskState error"}
		}
		t.end(types.TaskInfoStateError, types.PropertyChange{Name: "info.error", Val: fault})
		body.Res = new(types.SetTaskStateResponse)
	default:
		body.Fault_ = simulator.Fault("", &types.InvalidArgument{InvalidProperty: "state"})
	}
	return body
}

// CancelTask ends the task as vCenter ends a cancelled one: state error, fault
// RequestCanceled, cancelled true. The host stays out of maintenance, and no event is
// posted (vCenter posts no Entered or Exit event then).
func (t *heldTask) CancelTask(r *types.CancelTask) soap.HasFault {
	body := &methods.CancelTaskBody{}
	if t.ended() {
		body.Fault_ = simulator.Fault("the task has already ended", &types.InvalidState{})
		return body
	}
	t.end(types.TaskInfoStateError, types.PropertyChange{Name: "info.cancelled", Val: true},
		types.PropertyChange{Name: "info.error", Val: &types.LocalizedMethodFault{
			Fault: &types.RequestCanceled{}, LocalizedMessage: "The task was canceled by a user."}})
	body.Res = new(types.CancelTaskResponse)
	return body
}

func (t *heldTask) ended() bool {
	return t.Info.State == types.TaskInfoStateSuccess || t.Info.State == types.TaskInfoStateError
}

// end sets the final state last, as Task.Run does, after the changes that go with it.
func (t *heldTask) end(state types.TaskInfoState, changes ...types.PropertyChange) {
	changes = append(changes, types.PropertyChange{Name: "info.completeTime", Val: time.Now()},
		types.PropertyChange{Name: "info.state", Val: state})
	simulator.Map.Update(t, changes)
}

// hostEvent names the host, its compute resource (cluster or standalone) and its
// datacenter by walking the host's parents, as vCenter fills a HostEvent.
func hostEvent(host types.ManagedObjectReference) types.HostEvent {
	var e types.Event
	entity, ok := simulator.Map.Get(host).(mo.Entity)
	if !ok {
		return types.HostEvent{Event: e}
	}
	e.Host = &types.HostEventArgument{EntityEventArgument: named(entity), Host: host}
	for p := entity.Entity().Parent; p != nil; p = entity.Entity().Parent {
		if entity, ok = simulator.Map.Get(*p).(mo.Entity); !ok {
			break
		}
		switch p.Type {
		case "ComputeResource", "ClusterComputeResource":
			if e.ComputeResource == nil {
				e.ComputeResource = &types.ComputeResourceEventArgument{EntityEventArgument: named(entity), ComputeResource: *p}
			}
		case "Datacenter":
			e.Datacenter = &types.DatacenterEventArgument{EntityEventArgument: named(entity), Datacenter: *p}
		}
	}
	return types.HostEvent{Event: e}
}

func named(entity mo.Entity) types.EntityEventArgument {
	return types.EntityEventArgument{Name: entity.Entity().Name}
}

// propertyCollector adds two things vCenter does and 0.24 does not. (1) Without a
// session, vCenter faults RetrieveProperties(Ex) with NotAuthenticated; 0.24 answers
// HTTP 200 with every property in missingSet (or ManagedObjectNotFound for a session's
// view), which a client would read as "no data" instead of "log in again". (2) Paging:
// 0.24 ignores options.maxObjects and has no ContinueRetrievePropertiesEx, so a
// client's paging loop would never run. Session.Get makes a per-session copy of this
// type by reflection, so tokens belong to one session and go away with it.
type propertyCollector struct {
	simulator.PropertyCollector // first field: the simulator digs the mo type out of it

	mu    sync.Mutex
	pages map[string]page
}

type page struct {
	rest []types.ObjectContent
	max  int
}

// refuse tells whether a retrieval needs the session it lacks. The SessionManager keeps
// the stock answer (currentSession in missingSet): clients read it to learn whether
// they are logged in, and must not get a fault for asking.
func refuse(ctx *simulator.Context, specs []types.PropertyFilterSpec) bool {
	if ctx.Session != nil {
		return false
	}
	for _, spec := range specs {
		for _, o := range spec.ObjectSet {
			if o.Obj.Type != "SessionManager" {
				return true
			}
		}
	}
	return false
}

// notAuthenticated is the fault the simulator itself returns for other methods.
func notAuthenticated(this types.ManagedObjectReference) *soap.Fault {
	return simulator.Fault("", &types.NotAuthenticated{
		NoPermission: types.NoPermission{Object: this, PrivilegeId: "System.View"}})
}

func (pc *propertyCollector) RetrieveProperties(ctx *simulator.Context, r *types.RetrieveProperties) soap.HasFault {
	if refuse(ctx, r.SpecSet) {
		return &methods.RetrievePropertiesBody{Fault_: notAuthenticated(r.This)}
	}
	return pc.PropertyCollector.RetrieveProperties(ctx, r)
}

func (pc *propertyCollector) RetrievePropertiesEx(ctx *simulator.Context, r *types.RetrievePropertiesEx) soap.HasFault {
	if refuse(ctx, r.SpecSet) {
		return &methods.RetrievePropertiesExBody{Fault_: notAuthenticated(r.This)}
	}
	body := pc.PropertyCollector.RetrievePropertiesEx(ctx, r).(*methods.RetrievePropertiesExBody)
	if body.Res != nil && r.Options.MaxObjects > 0 {
		body.Res.Returnval = pc.next(page{body.Res.Returnval.Objects, int(r.Options.MaxObjects)})
	}
	return body
}

func (pc *propertyCollector) ContinueRetrievePropertiesEx(r *types.ContinueRetrievePropertiesEx) soap.HasFault {
	pc.mu.Lock()
	p, ok := pc.pages[r.Token]
	delete(pc.pages, r.Token)
	pc.mu.Unlock()
	if !ok {
		return &methods.ContinueRetrievePropertiesExBody{
			Fault_: simulator.Fault("unknown token", &types.InvalidArgument{InvalidProperty: "token"})}
	}
	return &methods.ContinueRetrievePropertiesExBody{
		Res: &types.ContinueRetrievePropertiesExResponse{Returnval: *pc.next(p)}}
}

func (pc *propertyCollector) CancelRetrievePropertiesEx(r *types.CancelRetrievePropertiesEx) soap.HasFault {
	pc.mu.Lock()
	delete(pc.pages, r.Token)
	pc.mu.Unlock()
	return &methods.CancelRetrievePropertiesExBody{Res: new(types.CancelRetrievePropertiesExResponse)}
}

// next returns up to p.max objects and, if more remain, a token for the rest.
func (pc *propertyCollector) next(p page) *types.RetrieveResult {
	if len(p.rest) <= p.max {
		return &types.RetrieveResult{Objects: p.rest}
	}
	token := uuid.New().String()
	pc.mu.Lock()
	if pc.pages == nil {
		pc.pages = make(map[string]page)
	}
	pc.pages[token] = page{p.rest[p.max:], p.max}
	pc.mu.Unlock()
	return &types.RetrieveResult{Token: token, Objects: p.rest[:p.max]}
}

// certificate is the one certFile and keyFile hold when both exist (reused true): a
// simulator restarted on the same address keeps the certificate its clients trust.
// Otherwise a new one (selfSignedCert).
func certificate(certFile, keyFile string, listenIP net.IP) (tls.Certificate, bool, error) {
	if certFile != "" && keyFile != "" {
		if _, err := os.Stat(keyFile); err == nil {
			cert, err := tls.LoadX509KeyPair(certFile, keyFile)
			return cert, true, err
		}
	}
	cert, err := selfSignedCert(listenIP)
	return cert, false, err
}

// selfSignedCert makes a fresh P-256 certificate for 127.0.0.1, ::1, localhost and
// listenIP (when not nil). It is its own CA (CA:TRUE, certSign), so a client can trust
// the PEM as a root and still verify the server's name.
func selfSignedCert(listenIP net.IP) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if listenIP != nil && !listenIP.Equal(ips[0]) && !listenIP.Equal(ips[1]) {
		ips = append(ips, listenIP)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"vcsimpeer"}, CommonName: "127.0.0.1"},
		NotBefore:             now.Add(-time.Hour), // tolerate a little clock skew
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           ips,
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// writeAtomic writes a sibling temporary file and renames it, so a reader polling
// for path never sees it half written.
func writeAtomic(path string, data []byte) error {
	tmp, err := ioutil.TempFile(filepath.Dir(path), "."+filepath.Base(path)+".")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err = tmp.Write(data); err == nil {
		err = tmp.Chmod(0644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return err
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "vcsim: "+msg)
	os.Exit(2)
}
