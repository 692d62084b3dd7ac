// Models: the static initialisers of include/linux/mutex.h (DEFINE_MUTEX),
// include/linux/spinlock_types.h (DEFINE_SPINLOCK) and include/linux/rwsem.h
// (DECLARE_RWSEM), v4.11 -- as far as the model needs them.
//
// In the kernel a lock defined at file scope is initialised once, when the
// image is loaded, and every boot starts from that image. The model boots
// many machines in one JavaScript realm, so a module-level lock (such as
// vmscan's shrinker_rwsem) would carry its owner and waiters from one run
// into the next. Every statically defined lock is therefore registered here
// and re-initialised at each boot.
//
// Only locks defined at module scope belong here. A scenario that creates a
// lock per run uses mutex_init() / spin_lock_init() / init_rwsem(). The
// registry holds weak references, so a lock defined per run by mistake is
// still collected once unreachable.
import { register_initcall } from '../init/initcall';

interface static_lock<T extends object> {
  ref: WeakRef<T>;
  reinit: (lock: T) => void;
}

let registry: Array<static_lock<object>> = [];

register_initcall('core', 'static_locks', () => {
  const live: Array<static_lock<object>> = [];
  for (const s of registry) {
    const lock = s.ref.deref();
    if (!lock) continue;
    s.reinit(lock);
    live.push(s);
  }
  registry = live;
});

/**
 * model_static_lock_register - re-initialise @lock with @reinit at every boot.
 * @reinit must not capture @lock (it receives it), or the weak reference
 * would never be released.
 */
export function model_static_lock_register<T extends object>(lock: T, reinit: (lock: T) => void): T {
  registry.push({ ref: new WeakRef(lock), reinit: reinit as (lock: object) => void });
  return lock;
}
