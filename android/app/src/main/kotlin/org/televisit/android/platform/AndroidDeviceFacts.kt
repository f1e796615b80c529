package org.televisit.android.platform

import android.app.KeyguardManager
import android.content.Context
import android.content.pm.PackageManager
import android.os.Build
import org.televisit.core.DeviceFacts
import org.televisit.core.DeviceSnapshot
import org.televisit.core.InstalledWhatsApp
import org.televisit.core.WhatsAppApp
import org.televisit.core.whatsappPackage
import java.io.File
import java.util.TimeZone

/**
 * What the phone can tell the core: a screen lock, the installed WhatsApp apps and their
 * versions (visible because the manifest declares them in `<queries>`), the OS version, and a
 * coarse root signal. The core decides what each fact means.
 */
class AndroidDeviceFacts(
    private val context: Context,
    private val rootSignals: List<String> = ROOT_SIGNALS,
    private val buildTags: String? = Build.TAGS,
) : DeviceFacts {

    override fun snapshot(): DeviceSnapshot {
        val keyguard = context.getSystemService(KeyguardManager::class.java)
        return DeviceSnapshot(
            passcodeSet = keyguard?.isDeviceSecure ?: false,
            // A build signed with test keys (a custom ROM, an emulator image, some OEM engineering
            // builds) is not a rooted phone: it is said on Settings (`unofficialBuild`), and
            // never blocks or wipes on its own.
            compromised = rootSignals.any { File(it).exists() },
            osVersion = "Android ${Build.VERSION.RELEASE} (API ${Build.VERSION.SDK_INT})",
            whatsapp = installedWhatsApp(context.packageManager),
            utcOffsetMinutes = TimeZone.getDefault().getOffset(System.currentTimeMillis()) / 60_000,
        )
    }

    /** The system is signed with Android's public test keys: a custom or engineering build. */
    val unofficialBuild: Boolean get() = buildTags?.contains("test-keys") == true

    companion object {
        /** Common `su` locations: a hint, not proof (Play Integrity is the server-side check). */
        val ROOT_SIGNALS = listOf("/system/xbin/su", "/system/bin/su", "/sbin/su", "/system/app/Superuser.apk")

        fun installedWhatsApp(packages: PackageManager): List<InstalledWhatsApp> =
            WhatsAppApp.values().mapNotNull { app ->
                try {
                    @Suppress("DEPRECATION")
                    val info = packages.getPackageInfo(whatsappPackage(app), 0)
                    InstalledWhatsApp(app, info.versionName ?: "unknown")
                } catch (e: PackageManager.NameNotFoundException) {
                    null
                }
            }
    }
}
