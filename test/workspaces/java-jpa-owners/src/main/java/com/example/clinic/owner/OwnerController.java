package com.example.clinic.owner;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

@Controller
class OwnerController {

	private final OwnerRepository owners;

	OwnerController(OwnerRepository owners) {
		this.owners = owners;
	}

	@GetMapping("/owners")
	public String listOwners(@RequestParam(defaultValue = "") String lastName, Model model) {
		List<Owner> results = this.owners.findByLastName(lastName);
		Map<Integer, Integer> petCounts = results.stream()
			.collect(Collectors.toMap(Owner::getId, (owner) -> owner.getPets().size()));
		model.addAttribute("owners", results);
		model.addAttribute("petCounts", petCounts);
		return "owners/ownersList";
	}

	@GetMapping("/owners/by-city")
	public String ownersByCity(@RequestParam String city, Model model) {
		List<Owner> results = owners.findByCity(city);
		for (Owner owner : results) {
			model.addAttribute("pets-" + owner.getId(), owner.getPets());
		}
		return "owners/ownersList";
	}

	@GetMapping("/owners/all")
	public String allOwners(Model model) {
		List<Owner> results = owners.findAll();
		for (Owner owner : results) {
			owner.getPets().forEach((pet) -> model.addAttribute(pet.getName(), owner));
		}
		return "owners/ownersList";
	}

}
